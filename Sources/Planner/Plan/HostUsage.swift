import XenplanBasics

/// A host's memory and vCPU use before and after the plan, against its capacity.
public struct HostUsage: Codable, Hashable, Sendable {
    public var host: String
    /// Memory used by guests (footprints, overhead included), now and after the plan.
    public var memoryBefore: ByteSize
    public var memoryAfter: ByteSize
    /// Memory available to guests: total − hypervisor reserve − dom0.
    public var memoryAvailable: ByteSize
    public var vcpusBefore: Int
    public var vcpusAfter: Int
    /// Physical CPUs × vcpuRatio.
    public var vcpuLimit: Int
    public var domainsBefore: Int
    public var domainsAfter: Int

    public init(
        host: String, memoryBefore: ByteSize, memoryAfter: ByteSize, memoryAvailable: ByteSize,
        vcpusBefore: Int, vcpusAfter: Int, vcpuLimit: Int, domainsBefore: Int, domainsAfter: Int
    ) {
        self.host = host
        self.memoryBefore = memoryBefore
        self.memoryAfter = memoryAfter
        self.memoryAvailable = memoryAvailable
        self.vcpusBefore = vcpusBefore
        self.vcpusAfter = vcpusAfter
        self.vcpuLimit = vcpuLimit
        self.domainsBefore = domainsBefore
        self.domainsAfter = domainsAfter
    }
}
