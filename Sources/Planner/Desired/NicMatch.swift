import HostModel
import Manifest

/// How a domain's observed NICs pair with its declared ones: by MAC when the manifests
/// give one, then in order on the same bridge for those that leave the MAC to Xen.
struct NicMatch {
    /// For each declared NIC, the index of the observed NIC it is, if any.
    var observedFor: [Int?]
    /// Observed NICs no declared NIC claims.
    var unmatched: [Int]

    init(desired: [NicSpec], observed: [NicState]) {
        var taken = Array(repeating: false, count: observed.count)
        var result: [Int?] = Array(repeating: nil, count: desired.count)
        for (i, n) in desired.enumerated() {
            guard let mac = Normalize.mac(n.mac) else { continue }
            if let j = observed.indices.first(where: { !taken[$0] && Normalize.mac(observed[$0].mac) == mac }) {
                taken[j] = true
                result[i] = j
            }
        }
        for (i, n) in desired.enumerated() where n.mac == nil {
            if let j = observed.indices.first(where: { !taken[$0] && observed[$0].bridge == n.bridge }) {
                taken[j] = true
                result[i] = j
            }
        }
        observedFor = result
        unmatched = observed.indices.filter { !taken[$0] }
    }
}
