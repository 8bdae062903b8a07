import XenplanBasics

/// Identifiers Xen would choose for a simulated domain whose configuration names none, and
/// digests of image files nobody gave one for and of volume contents: derived from names, so that two runs from
/// the same seed give the same UUIDs, MACs and digests and golden outputs do not churn.
enum SimIdentity {
    static func uuid(host: String, domain: String) -> String {
        let a = StableIdentity.hash("\(host)/\(domain)")
        return StableIdentity.uuid(a, StableIdentity.hash("\(domain)@\(host)", seed: a))
    }

    static func mac(host: String, domain: String, index: Int) -> String {
        StableIdentity.xenMAC("\(host)/\(domain)/\(index)")
    }

    /// A stand-in SHA-256 for an image file given none: 64 hex digits derived from the
    /// path and size, so that the same image reads the same in every run.
    static func sha256(path: String, fileSize: ByteSize) -> String {
        digest("\(path)#\(fileSize.kib)")
    }

    /// 64 hex digits derived from `text`: the stand-in SHA-256 of simulated content.
    static func digest(_ text: String) -> String {
        var digits = "", h = StableIdentity.hash(text)
        for _ in 0..<4 {
            digits += StableIdentity.hexDigits(h, count: 16)
            h = StableIdentity.hash(digits, seed: h)
        }
        return digits
    }
}
