import Foundation

/// Stable identifiers for simulated domains: derived from names, so that two runs from
/// the same seed give the same UUIDs and MACs and golden outputs do not churn.
enum SimIdentity {
    /// FNV-1a, 64 bit: stable across processes, unlike `Hasher`.
    static func hash(_ text: String, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = seed
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    static func uuid(host: String, domain: String) -> String {
        let a = hash("\(host)/\(domain)"), b = hash("\(domain)@\(host)", seed: a)
        let hex = String(format: "%016llx%016llx", a, b)
        let chars = Array(hex)
        func part(_ from: Int, _ to: Int) -> String { String(chars[from..<to]) }
        return "\(part(0, 8))-\(part(8, 12))-4\(part(13, 16))-a\(part(17, 20))-\(part(20, 32))"
    }

    /// A MAC in Xen's OUI 00:16:3e, as libxl generates when the config names none.
    static func mac(host: String, domain: String, index: Int) -> String {
        let h = hash("\(host)/\(domain)/\(index)")
        let bytes = [UInt8(truncatingIfNeeded: h >> 16) & 0x7f, UInt8(truncatingIfNeeded: h >> 8),
                     UInt8(truncatingIfNeeded: h)]
        return "00:16:3e:" + bytes.map { String(format: "%02x", $0) }.joined(separator: ":")
    }
}
