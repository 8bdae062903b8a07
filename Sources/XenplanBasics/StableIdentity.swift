/// Identifiers derived from names: the same input gives the same UUID or MAC in every
/// process and on every machine (unlike `Hasher`), so a plan made twice from the same
/// lab is the same plan, and a saved plan can be checked against a fresh one.
public enum StableIdentity {
    /// FNV-1a, 64 bit.
    public static func hash(_ text: String, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = seed
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// A random-looking version-4 UUID made from `text`, lower-case as xl writes them.
    public static func uuid(_ text: String) -> String {
        let a = hash(text)
        return uuid(a, hash(text + "/uuid", seed: a))
    }

    /// The version-4 UUID spelled by 128 bits.
    public static func uuid(_ a: UInt64, _ b: UInt64) -> String {
        let hex = Array(hexDigits(a, count: 16) + hexDigits(b, count: 16))
        func part(_ from: Int, _ to: Int) -> String { String(hex[from..<to]) }
        return "\(part(0, 8))-\(part(8, 12))-4\(part(13, 16))-a\(part(17, 20))-\(part(20, 32))"
    }

    /// A unicast MAC in Xen's own prefix 00:16:3e (the one libxl picks from), lower-case.
    public static func xenMAC(_ text: String) -> String {
        let h = hash(text)
        let bytes = [UInt64((h >> 16) & 0x7f), (h >> 8) & 0xff, h & 0xff]
        return "00:16:3e:" + bytes.map { hexDigits($0, count: 2) }.joined(separator: ":")
    }

    /// `value` as exactly `count` lower-case hex digits (the low ones).
    public static func hexDigits(_ value: UInt64, count: Int) -> String {
        let digits = Array("0123456789abcdef")
        var out: [Character] = []
        var v = value
        for _ in 0..<count {
            out.append(digits[Int(v & 0xf)])
            v >>= 4
        }
        return String(out.reversed())
    }
}
