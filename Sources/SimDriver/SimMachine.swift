import FoundationEssentials
import XenplanBasics

/// The physical machine a simulated host starts as when the state directory holds no
/// file for it yet: the manifest's `sim:` and `dom0:` blocks, passed as plain values so
/// that this module does not depend on the manifest model.
public struct SimMachine: Hashable, Codable, Sendable {
    public var memory: ByteSize
    public var cpus: Int
    /// e.g. `4.17.7`.
    public var xenVersion: String
    public var dom0Memory: ByteSize
    public var dom0Vcpus: Int

    public init(memory: ByteSize, cpus: Int, xenVersion: String = "4.17.7", dom0Memory: ByteSize, dom0Vcpus: Int) {
        self.memory = memory
        self.cpus = cpus
        self.xenVersion = xenVersion
        self.dom0Memory = dom0Memory
        self.dom0Vcpus = dom0Vcpus
    }
}
