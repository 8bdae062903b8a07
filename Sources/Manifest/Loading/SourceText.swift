import XenplanBasics

/// The raw bytes of one manifest file, with the checks that must happen before any YAML
/// parser sees them.
struct SourceText {
    let path: String
    let bytes: [UInt8]

    /// A UTF-8 byte-order mark (which editors on Windows write) is no content: it is
    /// dropped, and columns on the first line count from after it.
    init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
    }

    /// Byte offset of the first byte that is not valid UTF-8 (overlong forms and
    /// surrogates included), or nil when the whole text is valid.
    var firstInvalidUTF8Offset: Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return i
            }
            guard i + length <= n else { return i }
            for k in 1..<length {
                let c = bytes[i + k]
                let (lo, hi) = k == 1 ? (lower, upper) : (UInt8(0x80), UInt8(0xBF))
                guard (lo...hi).contains(c) else { return i }
            }
            i += length
        }
        return nil
    }

    /// Line and column (1-based; columns in Unicode scalars, as libyaml counts) of a
    /// byte offset.
    func location(ofByte offset: Int) -> SourceLocation {
        var line = 1
        var column = 1
        for b in bytes.prefix(offset) {
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceLocation(file: path, line: line, column: column)
    }

    /// The first tab in the leading white space of a line, at or before `line`: YAML
    /// forbids tabs for indentation, and libyaml's own message for it is obscure.
    func indentationTab(upToLine limit: Int) -> SourceLocation? {
        var line = 1
        var column = 1
        var inIndentation = true
        for b in bytes {
            if line > limit { return nil }
            switch b {
            case UInt8(ascii: "\n"):
                line += 1
                column = 1
                inIndentation = true
                continue
            case UInt8(ascii: "\t") where inIndentation:
                return SourceLocation(file: path, line: line, column: column)
            case UInt8(ascii: " "):
                break
            default:
                inIndentation = false
            }
            if b & 0xC0 != 0x80 { column += 1 }
        }
        return nil
    }

    /// True when the file holds nothing but white space and comments.
    var isBlank: Bool {
        var inComment = false
        for b in bytes {
            if inComment {
                if b == UInt8(ascii: "\n") { inComment = false }
            } else if b == UInt8(ascii: "#") {
                inComment = true
            } else if ![UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(b) {
                return false
            }
        }
        return true
    }
}

extension Diagnostic {
    static func invalidUTF8(at location: SourceLocation, byte: UInt8) -> Diagnostic {
        let hex = String(byte, radix: 16, uppercase: true)
        return .error("file is not valid UTF-8 (byte 0x\(hex.count == 1 ? "0" + hex : hex)); save it as UTF-8", at: location)
    }

    static func emptyFile(_ path: String) -> Diagnostic {
        .error(
            "file is empty; a manifest holds at least one of the keys \(ManifestDecoder.topLevelKeys.joined(separator: ", "))",
            at: .file(path))
    }

    static func fileTooLarge(_ path: String, limit: Int) -> Diagnostic {
        .error("file is larger than \(limit / (1024 * 1024)) MiB; manifests are far smaller, so this is not one", at: .file(path))
    }
}
