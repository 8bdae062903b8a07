import HostModel
import Synchronization
import XenplanBasics

/// Observations of every host shared by the one-copy checks (`Executor+OneCopy`) that
/// ask at the same moment, with the domains indexed by name and by disk.
///
/// A check is always answered by an observation that began after it asked (group commit,
/// for reads): those that ask while one is being taken wait for the next, which serves
/// them all. So each check sees every host as it is just before its operation, as if it
/// had observed alone, and a hundred creates starting together cost one observation of
/// the lab instead of a hundred.
final class SharedObservation: Sendable {
    /// The running domains of one observation, found by name and by disk.
    struct Snapshot: Sendable {
        /// Every domain (not Domain-0, not dying) by name, with its host, hosts in name order.
        var byName: [String: [(host: String, domain: DomainState)]] = [:]
        /// Every running domain by the identity of each disk it uses (`Syntax.deviceIdentity`),
        /// with that disk, hosts in name order.
        var byDisk: [String: [(host: String, domain: DomainState, disk: DiskState)]] = [:]
        /// Each host's configurations by domain name.
        var configs: [String: [String: DomainConfig]] = [:]

        init(_ states: [HostState]) {
            for state in states {
                for d in state.domains where d.domid != 0 {
                    if d.state != .dying { byName[d.name, default: []].append((state.name, d)) }
                    guard d.state.isUp else { continue }
                    var seen = Set<String>()
                    for disk in d.disks {
                        let identity = Syntax.deviceIdentity(disk.target)
                        // The first disk of a domain with that identity, as a scan would find.
                        guard seen.insert(identity).inserted else { continue }
                        byDisk[identity, default: []].append((state.name, d, disk))
                    }
                }
                for config in state.configs where configs[state.name]?[config.name] == nil {
                    configs[state.name, default: [:]][config.name] = config
                }
            }
        }
    }

    private struct State: ~Copyable {
        var waiting: [CheckedContinuation<Result<Snapshot, LabObservation.Failure>, Never>] = []
        var observing = false
    }

    private let state = Mutex(State())

    init() {}

    /// An observation that began after this call, taken by `observe` (the same hosts for
    /// every caller).
    func fresh(
        _ observe: @escaping @Sendable () async -> Result<[HostState], LabObservation.Failure>
    ) async -> Result<Snapshot, LabObservation.Failure> {
        await withCheckedContinuation { continuation in
            let lead = state.withLock { state -> Bool in
                state.waiting.append(continuation)
                guard !state.observing else { return false }
                state.observing = true
                return true
            }
            if lead { Task { await serve(observe) } }
        }
    }

    /// Observes for everyone waiting, again and again, until nobody waits.
    private func serve(_ observe: @Sendable () async -> Result<[HostState], LabObservation.Failure>) async {
        while true {
            let batch = state.withLock { state -> [CheckedContinuation<Result<Snapshot, LabObservation.Failure>, Never>] in
                defer { state.waiting = [] }
                if state.waiting.isEmpty { state.observing = false }
                return state.waiting
            }
            guard !batch.isEmpty else { return }
            let result = await observe().map(Snapshot.init)
            for continuation in batch { continuation.resume(returning: result) }
        }
    }
}
