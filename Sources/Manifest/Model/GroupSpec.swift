import XenplanBasics

/// Domains that belong together: `spread` keeps members on different hosts; `memory`
/// and `vcpus` are a quota for all members together, across hosts.
public struct GroupSpec: Hashable, Sendable {
    public var name: String
    public var spread: Bool
    public var memory: ByteSize?
    public var vcpus: Int?
    public var locations: KeyLocations

    public init(
        name: String, spread: Bool = false, memory: ByteSize? = nil, vcpus: Int? = nil,
        locations: KeyLocations = KeyLocations()
    ) {
        self.name = name
        self.spread = spread
        self.memory = memory
        self.vcpus = vcpus
        self.locations = locations
    }
}
