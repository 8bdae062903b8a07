import XenplanBasics

/// Identifiers Xen would choose for a simulated domain whose configuration names none:
/// derived from names, so that two runs from the same seed give the same UUIDs and MACs
/// and golden outputs do not churn.
enum SimIdentity {
    static func uuid(host: String, domain: String) -> String {
        let a = StableIdentity.hash("\(host)/\(domain)")
        return StableIdentity.uuid(a, StableIdentity.hash("\(domain)@\(host)", seed: a))
    }

    static func mac(host: String, domain: String, index: Int) -> String {
        StableIdentity.xenMAC("\(host)/\(domain)/\(index)")
    }
}
