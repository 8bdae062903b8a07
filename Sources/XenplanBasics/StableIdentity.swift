/// Identifiers derived from names: the same input gives the same UUID or MAC in every
/// process and on every machine (unlike `Hasher`), so a plan made twice from the same
/// lab is the same plan, and a saved plan can be checked against a fresh one.
///
/// The hash is FNV-1a (64 bits): the one every digest of xenplan is made with. It
/// tells values apart, it does not defend them: whoever can change a hashed value can
/// change its recorded hash too.
public enum StableIdentity {
    /// The hash of no bytes at all, where every hash starts.
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    @usableFromInline static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// FNV-1a over `bytes`, continuing from `seed`: hashing `a` then `b` from the hash of
    /// `a` gives the hash of both together.
    @inlinable
    public static func hash<Bytes: Sequence>(bytes: Bytes, seed: UInt64 = offsetBasis) -> UInt64
    where Bytes.Element == UInt8 {
        var h = seed
        for byte in bytes {
            h ^= UInt64(byte)
            h = h &* prime
        }
        return h
    }

    /// FNV-1a over the UTF-8 of `text`.
    public static func hash(_ text: String, seed: UInt64 = offsetBasis) -> UInt64 {
        hash(bytes: text.utf8, seed: seed)
    }

    /// A hash as the 16 lower-case hex digits digests are written with.
    public static func hex(_ hash: UInt64) -> String { hexDigits(hash, count: 16) }

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
