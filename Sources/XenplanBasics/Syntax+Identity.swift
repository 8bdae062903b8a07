import FoundationEssentials

/// What a guest is told at its first boot (host name, ssh keys, password hash): the
/// manifest loader checks it, and the agent checks it again before writing a seed.
extension Syntax {
    /// `authorized_keys` lines a guest accepts: the key types OpenSSH still offers.
    public static let sshKeyTypes = [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
    ]
    /// An RSA key of 16384 bits is under 3 KiB; anything near this is not a key.
    public static let maximumSSHKeyLength = 16 * 1024
    /// Keys a guest is given, lab-wide and its own together.
    public static let maximumSSHKeys = 64

    public enum SSHKeyProblem: Equatable, Sendable, CustomStringConvertible {
        case tooLong, controlCharacter, notASCII, unknownType(String), noBody, badBody, typeMismatch(declared: String, inBody: String)

        /// Why the key is refused, to follow "… is refused: ".
        public var description: String {
            switch self {
            case .tooLong: return "it is longer than \(maximumSSHKeyLength / 1024) KiB"
            case .controlCharacter: return "it holds a line break or another control character; write one key per list item"
            case .notASCII: return "it may hold only printable ASCII"
            case let .unknownType(type):
                return "its type \(shownValue(type, limit: 40)) is not one of \(sshKeyTypes.joined(separator: ", "))"
            case .noBody: return "the type must be followed by one space and the key in base64"
            case .badBody: return "the key after the type is not base64 of an ssh public key"
            case let .typeMismatch(declared, inBody):
                return "it says \(declared) but the key itself is \(shownValue(inBody, limit: 40))"
            }
        }
    }

    /// One `authorized_keys` line: a type of `sshKeyTypes`, one space, the key in
    /// base64 (whose own type name must agree), then optionally a space and a comment of
    /// printable ASCII. Options (`from=…`, `command=…`) are not accepted: they would let
    /// a manifest restrict or hijack logins in ways the plan cannot show.
    public static func sshKeyProblem(_ key: String) -> SSHKeyProblem? {
        let bytes = Array(key.utf8)
        guard bytes.count <= maximumSSHKeyLength else { return .tooLong }
        if bytes.contains(where: { $0 < 0x20 || $0 == 0x7f }) { return .controlCharacter }
        if bytes.contains(where: { $0 > 0x7f }) { return .notASCII }
        let fields = key.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        let type = String(fields[0])
        guard sshKeyTypes.contains(type) else { return .unknownType(type) }
        guard fields.count >= 2, !fields[1].isEmpty else { return .noBody }
        guard let blob = base64Decoded(fields[1]) else { return .badBody }
        // The blob starts with its type as an SSH string: a 32-bit big-endian length.
        guard blob.count >= 4 else { return .badBody }
        let length = blob[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard length <= 64, blob.count >= 4 + length else { return .badBody }
        let inBody = String(decoding: blob[4..<(4 + length)], as: UTF8.self)
        guard inBody == type else { return .typeMismatch(declared: type, inBody: inBody) }
        return nil
    }

    /// The key without its comment: two lines naming the same key are the same key.
    public static func sshKeyMaterial(_ key: String) -> Substring {
        let fields = key.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        return fields.count >= 2 ? key[fields[0].startIndex..<fields[1].endIndex] : Substring(key)
    }

    /// Strict base64 (padded, standard alphabet), or nil.
    private static func base64Decoded(_ text: Substring) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 4 == 0 else { return nil }
        let padding = bytes.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2, bytes.dropLast(padding).allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") })
        else { return nil }
        return Data(base64Encoded: String(text)).map { [UInt8]($0) }
    }

    /// The crypt(3) schemes a Linux guest's `/etc/shadow` understands.
    public static let passwordHashSchemes = ["1", "5", "6", "y", "gy", "2b", "2y", "sha1"]
    public static let maximumPasswordHashLength = 512

    /// `$id$…$…` with a known scheme and crypt's alphabet only. A clear-text password
    /// does not pass, so it can never reach a seed by mistake.
    public static func isPasswordHash(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard bytes.count <= maximumPasswordHashLength, bytes.first == UInt8(ascii: "$"),
            bytes.allSatisfy({ isAlnum($0) || "./$=,-".utf8.contains($0) })
        else { return false }
        let parts = s.split(separator: "$", omittingEmptySubsequences: false)
        // "", id, then at least a salt (or parameters) and a hash.
        guard parts.count >= 4, passwordHashSchemes.contains(String(parts[1])), let hash = parts.last, !hash.isEmpty
        else { return false }
        return true
    }

    /// A name a guest may call itself (RFC 1123): letters, digits and `-` in labels of 1
    /// to 63 characters separated by dots, no label starting or ending with `-`, 253
    /// characters at most, and not an IPv4 address.
    public static func isGuestHostName(_ s: String) -> Bool {
        guard isHostName(s), !isIPv4(s) else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
        }
    }
}
