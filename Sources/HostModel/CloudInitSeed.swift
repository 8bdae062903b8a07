import XenplanBasics

/// A guest's first-boot identity as a cloud-init NoCloud seed: a small read-only disk
/// labelled `cidata` holding `meta-data`, `user-data` and `network-config` (version 2).
/// The planner fills it from the manifests; drivers write it on the host.
public struct CloudInitSeed: Hashable, Codable, Sendable {
    public struct Interface: Hashable, Codable, Sendable {
        /// Matched by MAC, lower-case.
        public var mac: String
        /// `139.124.7.60/24`; empty: DHCP.
        public var addresses: [String]
        public var gateway: String?
        public var dns: [String]

        public init(mac: String, addresses: [String] = [], gateway: String? = nil, dns: [String] = []) {
            self.mac = mac
            self.addresses = addresses
            self.gateway = gateway
            self.dns = dns
        }
    }

    /// Where the seed of domain `name` lives on every dom0.
    public static let directory = "/var/lib/xenplan/seed"
    /// The guest device the seed is attached as (after every declared disk).
    public static let vdev = "xvdz"
    public static func path(domain: String) -> String { "\(directory)/\(domain).iso" }

    public var domain: String
    /// cloud-init runs its once-per-instance steps again when this changes.
    public var instanceId: String
    public var hostname: String
    public var interfaces: [Interface]
    public var sshKeys: [String]
    /// crypt(3) hash for the default user.
    public var passwordHash: String?

    public init(
        domain: String, instanceId: String, hostname: String, interfaces: [Interface] = [],
        sshKeys: [String] = [], passwordHash: String? = nil
    ) {
        self.domain = domain
        self.instanceId = instanceId
        self.hostname = hostname
        self.interfaces = interfaces
        self.sshKeys = sshKeys
        self.passwordHash = passwordHash
    }
}
