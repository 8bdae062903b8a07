import FoundationEssentials
import HostModel
import Logging
import XenplanBasics

/// A simulated Xen host kept as a file in the state directory (`<host>.live.json`,
/// started from the committed `<host>.sim.json` or from `machine`). It accounts memory
/// like Xen (`XenMemory`), refuses what Xen refuses with `xl`'s words, lags like a
/// balloon driver, and takes time per operation, so that an executor sees what it
/// would see on a real dom0.
///
/// Every read-modify-write holds the host's `flock`, so several processes may drive the
/// same host; the driver itself keeps no state beyond its configuration.
public final class SimDriver: HostDriver {
    public let hostName: String
    public let store: SimStore
    public let machine: SimMachine?
    public let clock: any SimClock
    /// Factor applied to every latency: 1 is as configured, 0 is instant.
    public let speed: Double

    /// - Parameters:
    ///   - machine: what the host is if the state directory has no file for it yet.
    ///   - blanks: what hosts are while the directory has no file for them, when more
    ///     than an empty `machine` (the manifests' pools and images), for this host and
    ///     the others it may reach (a migration's target); they win over `machine`.
    ///     Nothing is written for a host until an operation changes it, so that reading a
    ///     new host leaves no file behind.
    ///   - speed: defaults to `$XENPLAN_SIM_SPEED` (else 1).
    public init(
        stateDirectory: URL, host: String, machine: SimMachine? = nil, blanks: [String: SimHostFile] = [:],
        clock: any SimClock = SystemClock(), speed: Double = SimDriver.speedFromEnvironment()
    ) {
        self.hostName = host
        var blanks = blanks
        if blanks[host] == nil, let machine { blanks[host] = SimHostFile(machine: machine) }
        self.store = SimStore(directory: stateDirectory, blanks: blanks)
        self.machine = machine
        self.clock = clock
        self.speed = max(0, speed)
    }

    /// `$XENPLAN_SIM_SPEED` as a non-negative number, else 1.
    public static func speedFromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Double {
        guard let text = environment["XENPLAN_SIM_SPEED"], let value = Double(text), value.isFinite, value >= 0 else {
            return 1
        }
        return value
    }

    public func observe() async throws -> HostState {
        let now = clock.now()
        return try store.peek(hostName).hostState(name: hostName, at: now)
    }

    /// The host's file as it is now (for `sim show` and tests).
    public func file() throws -> SimHostFile {
        try store.peek(hostName)
    }

    /// Runs `body` on the host's file under its lock and saves the result: seeds and
    /// tests use it to arrange a host directly.
    public func edit<R>(_ body: (inout SimHostFile) throws -> R) throws -> R {
        try store.withLocks([hostName]) { session in
            var file = try session.file(hostName)
            let result = try body(&file)
            session.update(hostName, file)
            return result
        }
    }

    /// Changes the host's file as `edit` does, in a batch with the other changes to this
    /// state directory that arrive meanwhile (`SimStore.commit`): what every operation
    /// uses, so that operations running side by side share one write of the file.
    func change<R: Sendable>(_ body: @escaping @Sendable (inout SimHostFile) throws -> R) async throws -> R {
        let host = hostName
        return try await store.commit([host]) { session in
            var file = try session.file(host)
            let result = try body(&file)
            session.update(host, file)
            return result
        }
    }

    /// Makes the next `times` operations of `kind` fail with `message` (default
    /// "simulated failure of KIND"), changing nothing.
    public func fail(_ kind: String, times: Int = 1, message: String? = nil) throws {
        guard HostOperation.allKinds.contains(kind) else {
            throw SimError("unknown operation '\(kind)'; one of: \(HostOperation.allKinds.joined(separator: ", "))")
        }
        guard times >= 1 else { throw SimError("--times must be at least 1, not \(times)") }
        try edit { $0.failures[kind] = SimHostFile.Failure(remaining: times, message: message) }
    }

    /// `--verbose`: what the simulated host is asked to do, where a real one would say
    /// which commands it runs.
    static let log = Logger(label: "xenplan.sim")

    public func perform(_ operation: HostOperation) async throws {
        Self.log.debug("\(hostName): \(operation.kind)\(operation.domainName.map { " \($0)" } ?? "")")
        guard case let .create(domain) = operation else { return try await performOnce(operation) }
        // An injected failure changes nothing: a half-built domain is always gone.
        let host = hostName
        try await CreateRetry.run(
            isGone: { true },
            retrying: { attempt in Self.log.debug("\(host): create \(domain): try \(attempt) of \(CreateRetry.attempts)") },
            wait: { try await sleep(Double($0.components.seconds)) },
            create: { try await performOnce(operation) })
    }

    private func performOnce(_ operation: HostOperation) async throws {
        try consumeInjectedFailure(operation)
        switch operation {
        case let .migrate(domain, toHost):
            try await migrate(domain, to: toHost)
        case let .shutdown(domain, timeout):
            try await shutdown(domain, timeoutSeconds: timeout)
        case let .sendVolume(transfer):
            try await sendVolume(transfer)
        case .createVolume, .growVolume, .removeVolume, .receiveVolume, .commitVolume:
            try await sleep(latency(of: operation.kind))
            try await commitVolumeOperation(operation)
        case let .createVolumeFromImage(_, _, _, image):
            try await copyImage(operation, image: image)
        case .save, .restore, .removeSave:
            try await saveOperation(operation)
        case let .backup(job):
            try await backup(job)
        case let .restoreVolume(_, _, _, source, _):
            try await restoreVolume(operation, source: source)
        default:
            try await sleep(latency(of: operation.kind))
            let now = clock.now()
            let host = hostName
            try await change { try $0.apply(operation, host: host, now: now) }
        }
    }

    // MARK: Latency and failures

    func latency(of kind: String) throws -> Double {
        try store.peek(hostName).latencies[kind] ?? 0
    }

    /// Sleeps `seconds × speed`, cancellably: an interrupted apply stops at once, and a
    /// migration interrupted here leaves its transient domains behind, as Xen would.
    func sleep(_ seconds: Double) async throws {
        let scaled = seconds * speed
        guard scaled > 0, scaled.isFinite else { return }
        try await clock.sleep(seconds: scaled)
    }

    private func consumeInjectedFailure(_ operation: HostOperation) throws {
        let kind = operation.kind
        // Most hosts have none: looked at without the lock first (`peek`).
        guard try store.peek(hostName).failures[kind] != nil else { return }
        let message: String? = try store.withLocks([hostName]) { session in
            var file = try session.file(hostName)
            guard var failure = file.failures[kind], failure.remaining > 0 else { return nil }
            failure.remaining -= 1
            file.failures[kind] = failure.remaining > 0 ? failure : nil
            session.update(hostName, file)
            return failure.message ?? "simulated failure of \(kind)"
        }
        if let message {
            throw HostError(host: hostName, operation: kind, domain: operation.domainName, message: message)
        }
    }

    // MARK: Volumes

    /// Volume changes in a shared container reach every host that shares it, the way a
    /// shared volume group shows the same volumes on all its hosts; removal (or a restore
    /// over a volume) is refused while a domain on any of them uses the volume.
    /// `byXenplan: false` for a person's `lvcreate`: the volume is not tagged as xenplan's.
    func applyVolumeOperation(_ operation: HostOperation, byXenplan: Bool = true) throws {
        let now = clock.now()
        guard let (containers, body) = volumeChange(operation, byXenplan: byXenplan, now: now) else { return }
        try changeShared(containers, body)
    }

    /// `applyVolumeOperation` for an apply, batched (`SimStore.commit`).
    func commitVolumeOperation(_ operation: HostOperation) async throws {
        let now = clock.now()
        guard let (containers, body) = volumeChange(operation, byXenplan: true, now: now) else { return }
        try await commitShared(containers, body)
    }

    /// The containers a volume operation changes, and the change.
    private func volumeChange(
        _ operation: HostOperation, byXenplan: Bool, now: Date
    ) -> ([String], @Sendable (inout SimHostFile, [(String, SimHostFile)]) throws -> Void)? {
        let container: String
        var removed: String?
        switch operation {
        case let .removeVolume(c, volume):
            container = c
            removed = volume
        case let .restoreVolume(c, volume, _, _, replace):
            container = c
            removed = replace ? volume : nil
        case let .createVolume(c, _, _), let .growVolume(c, _, _), let .createVolumeFromImage(c, _, _, _),
            let .receiveVolume(c, _, _), let .commitVolume(c, _):
            container = c
        default: return nil
        }
        let hostName = self.hostName
        return (
            [container],
            { [removed] file, peers in
                if let volume = removed, let type = file.storage[container]?.type,
                    file.storage[container]?.volumes[volume] != nil
                {
                    let path = file.devicePath(container: container, volume: volume)
                    for (other, peer) in peers {
                        if let user = peer.domainUsing(path) {
                            let message =
                                type == .lvm
                                ? XlMessages.lvInUse(vg: container, name: volume)
                                : XlMessages.fileInUse(path, by: "\(user) on \(other)")
                            throw HostError(
                                host: hostName, operation: operation.kind, domain: operation.domainName, message: message)
                        }
                    }
                }
                try file.apply(operation, host: hostName, now: now)
                if !byXenplan, case let .createVolume(c, volume, _) = operation { file.storage[c]?.setOwned(volume, false) }
            }
        )
    }

    /// Runs `body` on this host's file holding the lock of every host of the state
    /// directory, then copies each shared container of `containers` to every other host
    /// that shares it (its volumes, backups and save files: a SAN or NFS seen by all).
    /// `body` gets the sharing hosts' files to look at; nothing is written if it throws.
    func changeShared<R>(
        _ containers: [String], _ body: (inout SimHostFile, [(String, SimHostFile)]) throws -> R
    ) throws -> R {
        let others = store.hostNames().filter { $0 != hostName }
        return try store.withLocks([hostName] + others) { session in
            try Self.changeShared(in: &session, host: hostName, others: others, containers, body)
        }
    }

    /// `changeShared` in a batch (`SimStore.commit`). A container that is not shared
    /// reaches no other host: then only this host's lock is taken, and the directory is
    /// not listed (unless the container became shared meanwhile: then again, with all).
    func commitShared<R: Sendable>(
        _ containers: [String], _ body: @escaping @Sendable (inout SimHostFile, [(String, SimHostFile)]) throws -> R
    ) async throws -> R {
        let current = try store.peek(hostName)
        let alone = !containers.contains { current.storage[$0]?.shared == true }
        let host = hostName
        let others = alone ? [] : store.hostNames().filter { $0 != host }
        do {
            return try await store.commit([host] + others) { session in
                if alone, try containers.contains(where: { try session.file(host).storage[$0]?.shared == true }) {
                    throw SharedMeanwhile()
                }
                return try Self.changeShared(in: &session, host: host, others: others, containers, body)
            }
        } catch is SharedMeanwhile {
            let everyone = store.hostNames().filter { $0 != host }
            return try await store.commit([host] + everyone) { session in
                try Self.changeShared(in: &session, host: host, others: everyone, containers, body)
            }
        }
    }

    private struct SharedMeanwhile: Error {}

    private static func changeShared<R>(
        in session: inout SimSession, host: String, others: [String], _ containers: [String],
        _ body: (inout SimHostFile, [(String, SimHostFile)]) throws -> R
    ) throws -> R {
        var file = try session.file(host)
        let shared = containers.filter { file.storage[$0]?.shared == true }
        var peers: [(String, SimHostFile)] = []
        if !shared.isEmpty {
            for other in others {
                let peer = try session.file(other)
                if shared.contains(where: { peer.storage[$0]?.shared == true }) { peers.append((other, peer)) }
            }
        }
        let result = try body(&file, peers)
        session.update(host, file)
        for (other, var peer) in peers {
            for container in shared { peer.mirror(container, from: file) }
            session.update(other, peer)
        }
        return result
    }
}
