import XenplanBasics

/// The rules an image source meets before a host reads it: its path goes on the command
/// lines of `sha256sum`, `dd`, `cp` and `qemu-img`. Both the local driver and the agent
/// check them.
extension ImageSource {
    public static let formats = ["raw", "qcow2"]
    /// Declared images a host looks at, at most: each costs an `open` and a 32-byte read
    /// at every observation.
    public static let maxObservedPaths = 4096

    /// The first value that breaks a rule: its field and why; nil when the image can be read.
    public var firstProblem: (field: String, message: String)? {
        if !Syntax.isName(name) { return ("name", "\(shownValue(name)) is not an image name ([a-z0-9][a-z0-9.-]{0,62})") }
        if Syntax.pathProblem(path) != nil {
            return ("path", "\(shownValue(path)) is not an absolute path of at most 1024 bytes without '..', spaces or shell characters")
        }
        if !Self.formats.contains(format) { return ("format", "\(shownValue(format)) is not one of raw, qcow2") }
        if let sha256, !Self.isSHA256(sha256) {
            return ("sha256", "\(shownValue(sha256)) is not a SHA-256 (64 lower-case hexadecimal digits)")
        }
        return nil
    }

    public static func isSHA256(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { Syntax.isDigit($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
