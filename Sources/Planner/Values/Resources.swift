import XenplanBasics

/// Memory and vCPUs, the two resources the planner keeps within each host's capacity.
struct Resources: Hashable {
    var memory: ByteSize = .zero
    var vcpus: Int = 0

    var isZero: Bool { memory.kib == 0 && vcpus == 0 }
    static func + (a: Resources, b: Resources) -> Resources { Resources(memory: a.memory + b.memory, vcpus: a.vcpus + b.vcpus) }
    static func - (a: Resources, b: Resources) -> Resources { Resources(memory: a.memory - b.memory, vcpus: a.vcpus - b.vcpus) }
    static func += (a: inout Resources, b: Resources) { a = a + b }
    static func -= (a: inout Resources, b: Resources) { a = a - b }
    /// Both components fit within `limit`.
    func fits(in limit: Resources) -> Bool { memory <= limit.memory && vcpus <= limit.vcpus }
}
