/// Character-level rules for every value of a manifest (or of an agent request) that ends up in a command line,
/// a file name or a xenstore path. They are deliberately narrow: manifests come from git
/// and may be written by several people, so nothing in them may carry shell syntax,
/// path traversal, control characters or look-alike letters.
public enum Syntax {
    /// `[a-z0-9][a-z0-9.-]{0,62}`: lab, host, pool, group, domain, disk and bridge names.
    public static func isName(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard (1...63).contains(bytes.count), isLowerAlnum(bytes[0]) else { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// Linux interface names: 1–15 characters, `[a-zA-Z0-9][a-zA-Z0-9._-]{0,14}`.
    public static func isInterfaceName(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard (1...15).contains(bytes.count), isAlnum(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// LVM volume group names: `[A-Za-z0-9+_.-]+`, not starting with `-`, not `.` or `..`
    /// (LVM's own rule, which also keeps `/dev/<vg>/…` inside `/dev`).
    public static func isVolumeGroup(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard (1...127).contains(bytes.count), bytes[0] != UInt8(ascii: "-"), s != ".", s != ".." else { return false }
        return bytes.allSatisfy { isAlnum($0) || "+_.-".utf8.contains($0) }
    }

    /// `xvd[a-z]+[0-9]*` for every guest type; `sd…` and `hd…` only for HVM guests, whose
    /// emulated controllers have those names.
    public static func isVdev(_ s: String, hvm: Bool) -> Bool {
        let bytes = Array(s.utf8)
        guard bytes.count <= 15 else { return false }
        var rest: ArraySlice<UInt8>
        if s.hasPrefix("xvd") {
            rest = bytes.dropFirst(3)
        } else if hvm && (s.hasPrefix("sd") || s.hasPrefix("hd")) {
            rest = bytes.dropFirst(2)
        } else {
            return false
        }
        let letters = rest.prefix { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
        guard !letters.isEmpty else { return false }
        rest = rest.dropFirst(letters.count)
        return rest.allSatisfy(isDigit)
    }

    /// `xx:xx:xx:xx:xx:xx` in hex of either case; returns the lower-case form.
    public static func normalisedMAC(_ s: String) -> String? {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts.allSatisfy({ $0.utf8.count == 2 && $0.utf8.allSatisfy(isHex) }) else { return nil }
        return s.lowercased()
    }

    /// A MAC whose first octet is odd is a multicast address: no NIC may have one.
    public static func isMulticastMAC(_ normalised: String) -> Bool {
        guard let first = UInt8(normalised.prefix(2), radix: 16) else { return false }
        return first & 1 == 1
    }

    /// A dotted quad, each part 0–255 written without leading zeros (which some tools
    /// read as octal).
    public static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy(isDigit) else { return false }
            guard part.utf8.count == 1 || part.first != "0" else { return false }
            return Int(part)! <= 255
        }
    }

    public enum PathProblem: Equatable, Sendable {
        case notAbsolute, parentComponent, forbiddenCharacter(Unicode.Scalar), tooLong, root
    }

    /// Absolute, no `..` component, no character that a shell or an `xl` configuration
    /// line would treat specially. Returns the first problem, or nil.
    public static func pathProblem(_ s: String) -> PathProblem? {
        guard s.utf8.count <= 1024 else { return .tooLong }
        if let bad = s.unicodeScalars.first(where: { !isPathScalar($0) }) { return .forbiddenCharacter(bad) }
        guard s.hasPrefix("/") else { return .notAbsolute }
        let components = s.split(separator: "/")
        if components.contains("..") { return .parentComponent }
        if components.isEmpty { return .root }
        return nil
    }

    /// Kernel command lines: printable ASCII without quotes or backslashes, since the
    /// line is written inside quotes in the domain's `xl` configuration.
    public static func isCmdline(_ s: String) -> Bool {
        s.utf8.count <= 1024 && s.utf8.allSatisfy { (0x20...0x7e).contains($0) && !"\"'`\\".utf8.contains($0) }
    }

    /// A user name in `ssh://user@host`: what `useradd` accepts by default.
    public static func isUserName(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard (1...32).contains(bytes.count) else { return false }
        let first = bytes[0]
        guard isLowerAlnum(first) && !isDigit(first) || first == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || "_.-".utf8.contains($0) }
    }

    /// A DNS name or IPv4 address; never starting with `-`, so that it can never be read
    /// as an option by `ssh`.
    public static func isHostName(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard (1...253).contains(bytes.count), bytes[0] != UInt8(ascii: "-"), bytes[0] != UInt8(ascii: ".") else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    // MARK: - Characters

    public static func isDigit(_ b: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) }
    public static func isLowerAlnum(_ b: UInt8) -> Bool { isDigit(b) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) }
    public static func isAlnum(_ b: UInt8) -> Bool { isLowerAlnum(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b) }
    public static func isHex(_ b: UInt8) -> Bool { isDigit(b) || "abcdefABCDEF".utf8.contains(b) }

    static func isPathScalar(_ c: Unicode.Scalar) -> Bool {
        guard c.isASCII, (0x21...0x7e).contains(c.value) else { return false }
        return !"\"'`$;&|<>()*?[]{}\\!#~,=%".unicodeScalars.contains(c)
    }
}

/// Text from a manifest as it may be shown in a message: quoted, control characters and
/// anything outside printable ASCII escaped (so a name cannot rewrite the terminal, and a
/// Cyrillic look-alike shows as what it is), and cut short when long.
public func shownValue(_ text: String, limit: Int = 48) -> String {
    var out = ""
    var count = 0
    for scalar in text.unicodeScalars {
        if count >= limit { out += "…"; break }
        count += 1
        switch scalar {
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case "'": out += "\\'"
        case "\\": out += "\\\\"
        default:
            if scalar.isASCII && (0x20...0x7e).contains(scalar.value) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            }
        }
    }
    return "'" + out + "'"
}
