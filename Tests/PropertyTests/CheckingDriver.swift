import Foundation
import HostModel
import SimDriver

/// A simulated host's driver that has every operation checked: after each one (done or
/// refused) the safety monitor reads all hosts at once. It also plays a killed apply:
/// once `OperationControl` says the process is dead, every operation fails without
/// reaching the host.
final class CheckingDriver: HostDriver, HostLocking, @unchecked Sendable {
    let inner: SimDriver
    let monitor: SafetyMonitor
    let control: OperationControl

    init(_ inner: SimDriver, monitor: SafetyMonitor, control: OperationControl) {
        self.inner = inner
        self.monitor = monitor
        self.control = control
    }

    var hostName: String { inner.hostName }

    func observe() async throws -> HostState { try await inner.observe() }

    func perform(_ operation: HostOperation) async throws {
        switch control.admit(operation) {
        case .perform:
            do {
                try await inner.perform(operation)
            } catch {
                monitor.check(after: operation, on: hostName, failed: true)
                throw error
            }
            monitor.check(after: operation, on: hostName, failed: false)
        case .cutShort:
            await cutMigration(operation)
            monitor.check(after: operation, on: hostName, failed: true)
            throw killed(operation)
        case .refuse:
            throw killed(operation)
        }
    }

    private func killed(_ operation: HostOperation) -> HostError {
        HostError(
            host: hostName, operation: operation.kind, domain: operation.domainName,
            message: "the apply was killed before this operation reached the host")
    }

    /// What a process killed during `xl migrate` leaves: the guest copied half way,
    /// `NAME--migratedaway` here and `NAME--incoming` on the target. The simulator's own
    /// migration is started with a long copy time and cancelled during the copy.
    private func cutMigration(_ operation: HostOperation) async {
        guard case .migrate = operation else { return }
        let slow = SimDriver(stateDirectory: inner.store.directory, host: hostName, clock: inner.clock, speed: 1)
        do {
            try slow.edit { $0.latencies["migrate"] = 3600 }
            let copy = Task { try await slow.perform(operation) }
            copy.cancel()
            _ = await copy.result
            try slow.edit { $0.latencies["migrate"] = nil }
        } catch {
            monitor.record("cannot cut migration \(operation) short: \(error)")
        }
    }

    func acquireLock(for owner: LockRecord, replacing stale: LockRecord?) async throws {
        try await inner.acquireLock(for: owner, replacing: stale)
    }

    func releaseLock(of owner: LockRecord) async throws { try await inner.releaseLock(of: owner) }
    func breakLock() async throws -> LockRecord? { try await inner.breakLock() }
    func lockHolder() async throws -> LockRecord? { try await inner.lockHolder() }
}

/// Counts the operations of an apply and decides, for a simulated kill, which of them
/// still reach the hosts. Shared by every host's driver of a world.
final class OperationControl: @unchecked Sendable {
    enum Admission { case perform, cutShort, refuse }

    private let lock = NSLock()
    private var crashAfter: Int?
    private var midOperation = false
    private var performed = 0
    private(set) var crashed = false

    /// From now on, the apply dies after `operations` more operations.
    func arm(crashAfter operations: Int?, midOperation: Bool) {
        lock.withLock {
            crashAfter = operations
            self.midOperation = midOperation
            performed = 0
            crashed = false
        }
    }

    var hasCrashed: Bool { lock.withLock { crashed } }

    func admit(_ operation: HostOperation) -> Admission {
        lock.withLock {
            guard let limit = crashAfter else { return .perform }
            if crashed { return .refuse }
            if performed < limit {
                performed += 1
                return .perform
            }
            crashed = true
            return midOperation ? .cutShort : .refuse
        }
    }
}
