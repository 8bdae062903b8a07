import XenplanBasics

/// The desired state cannot be reached: no order of actions keeps every host within its
/// capacity, or the manifests ask for more than the hosts have.
public struct PlanRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public var hosts: [String]
    public var domains: [String]
    public var shortfall: ByteSize
    public var message: String

    public init(hosts: [String], domains: [String], shortfall: ByteSize, message: String) {
        self.hosts = hosts
        self.domains = domains
        self.shortfall = shortfall
        self.message = message
    }

    public var description: String { message }
}
