import HostModel
import Synchronization

/// When each request of a session that asked for concurrency may run. Requests are
/// entered in the order they were read; one starts once
/// - no request entered before it, running or waiting, holds any of its keys (so two
///   requests on one domain, volume or bridge never run at once, and keep their order),
/// - and, for an operation, fewer than `limit` operations run.
/// A request that must wait holds up only those that share a key with it.
final class RequestScheduler: Sendable {
    struct Ticket: Hashable, Sendable {
        fileprivate let number: Int
    }

    private struct Entry {
        let ticket: Ticket
        let keys: Set<String>
        let counted: Bool
        var running = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private struct State {
        var entries: [Entry] = []
        var next = 0
        var running = 0
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Enters a request; `counted`: it is an operation, one of the `limit`.
    func enter(keys: Set<String>, counted: Bool) -> Ticket {
        state.withLock { state in
            let ticket = Ticket(number: state.next)
            state.next += 1
            state.entries.append(Entry(ticket: ticket, keys: keys, counted: counted))
            // A new entry only adds to what others wait for: the one woken, if any, is
            // this one, which has no waiter yet.
            _ = Self.promote(&state, limit: limit)
            return ticket
        }
    }

    /// Returns once the request may run.
    func start(_ ticket: Ticket) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready: Bool = state.withLock { state in
                guard let i = state.entries.firstIndex(where: { $0.ticket == ticket }) else { return true }
                if state.entries[i].running { return true }
                state.entries[i].waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// The request is answered: its keys and its place are free.
    func finish(_ ticket: Ticket) {
        let woken: [CheckedContinuation<Void, Never>] = state.withLock { state in
            guard let i = state.entries.firstIndex(where: { $0.ticket == ticket }) else { return [] }
            if state.entries[i].running && state.entries[i].counted { state.running -= 1 }
            state.entries.remove(at: i)
            return Self.promote(&state, limit: limit)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Operations running now (tests).
    var runningOperations: Int { state.withLock { $0.running } }

    /// Starts every waiting entry that may run, in order; returns the waiters to wake.
    private static func promote(_ state: inout State, limit: Int) -> [CheckedContinuation<Void, Never>] {
        var held: Set<String> = []
        var woken: [CheckedContinuation<Void, Never>] = []
        for i in state.entries.indices {
            let entry = state.entries[i]
            defer { held.formUnion(entry.keys) }
            guard !entry.running, held.isDisjoint(with: entry.keys) else { continue }
            if entry.counted {
                guard state.running < limit else { continue }
                state.running += 1
            }
            state.entries[i].running = true
            if let waiter = entry.waiter {
                woken.append(waiter)
                state.entries[i].waiter = nil
            }
        }
        return woken
    }

    /// What a request holds while it runs. An operation: the domain it concerns (a
    /// migration copy's name counts as its domain's), every volume it reads or changes
    /// (`container/name`; the `NAME_partial` a copy fills is the volume's), the bridge it
    /// makes or whose file it writes. Observations share one key (one at a time), lock
    /// requests another.
    static func keys(of kind: AgentRequest.Kind) -> (keys: Set<String>, counted: Bool)? {
        switch kind {
        case .hello: return nil
        case .observe: return (["observe"], false)
        case .lock, .unlock, .breakLock, .lockHolder: return (["lock"], false)
        case let .perform(operation): return (keys(of: operation), true)
        }
    }

    static func keys(of operation: HostOperation) -> Set<String> {
        var keys: Set<String> = []
        if let domain = operation.domainName { keys.insert("domain " + baseName(domain)) }
        func volume(_ container: String, _ name: String) { keys.insert("volume \(container)/\(name)") }
        switch operation {
        case let .createVolume(container, name, _), let .growVolume(container, name, _), let .removeVolume(container, name),
            let .createVolumeFromImage(container, name, _, _), let .restoreVolume(container, name, _, _, _),
            let .receiveVolume(container, name, _), let .commitVolume(container, name):
            volume(container, name)
        case let .sendVolume(transfer):
            volume(transfer.container, transfer.name)
        case let .backup(job):
            for disk in job.disks { volume(disk.container, disk.volume) }
        case let .attachDisk(_, disk):
            if let (container, name) = volumeOf(target: disk.target) { volume(container, name) }
        case let .createBridge(name, _, _), let .removeBridgeFile(name):
            keys.insert("bridge " + name)
        case let .writeBridgeFile(file):
            keys.insert("bridge " + file.bridge)
        default:
            break
        }
        return keys
    }

    /// `web` for `web--incoming` and `web--migratedaway`.
    private static func baseName(_ domain: String) -> String {
        for suffix in ["--incoming", "--migratedaway"] where domain.hasSuffix(suffix) {
            return String(domain.dropLast(suffix.count))
        }
        return domain
    }

    /// The volume a disk target names: `/dev/VG/NAME`, or `DIR/NAME.img` of a `dir` pool.
    private static func volumeOf(target: String) -> (String, String)? {
        let parts = target.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 4, parts[0].isEmpty, parts[1] == "dev" { return (String(parts[2]), String(parts[3])) }
        if target.hasSuffix(".img"), let slash = target.lastIndex(of: "/"), slash != target.startIndex {
            return (String(target[..<slash]), String(target[target.index(after: slash)...].dropLast(4)))
        }
        return nil
    }
}
