import XenplanBasics

// Placeholder until the seed files are rendered here.
extension CloudInitSeed {
    public var identitySummary: [String: String] {
        let network = interfaces.map { "\($0.mac) \($0.addresses) \($0.gateway ?? "") \($0.dns)" }.joined(separator: "\n")
        return ["instance-id": instanceId, "hostname": hostname,
                "network": StableIdentity.hexDigits(StableIdentity.hash(network), count: 8),
                "ssh-keys": sshKeys.isEmpty ? "none" : StableIdentity.hexDigits(StableIdentity.hash(sshKeys.joined(separator: "\n")), count: 8),
                "password": passwordHash == nil ? "none" : "set"]
    }
}
