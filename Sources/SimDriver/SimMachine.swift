import Foundation
import Synchronization
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

/// Where the simulated host reads the time. Ballooning progress is a function of the
/// time elapsed since a `mem-set`, so tests inject a clock they move by hand.
public protocol SimClock: Sendable {
    func now() -> Date
}

/// The wall clock.
public struct SystemClock: SimClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that only moves when told to: deterministic ballooning in tests.
public final class ManualClock: SimClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
