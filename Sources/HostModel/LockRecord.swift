/// Who holds a host's apply lock: enough for a person to find the process, and for a
/// later apply to tell for certain whether that process is gone.
///
/// A process is known by its pid only inside one PID namespace of one boot of one
/// machine, and a pid is reused: so the record also carries the boot id, the PID
/// namespace and the process's start time. Records written before these fields existed
/// have none of them and are never judged stale (`xenplan unlock` frees them).
public struct LockRecord: Hashable, Codable, Sendable {
    public var user: String
    /// The machine the holding process runs on (its host name).
    public var machine: String
    public var pid: Int32
    /// When it was taken, ISO 8601 in UTC (`2026-12-01T10:00:00Z`).
    public var time: String
    /// What holds it, e.g. `xenplan apply`.
    public var command: String
    /// Distinguishes two runs of the same process.
    public var runID: String
    /// `/proc/sys/kernel/random/boot_id` of the holder's kernel: new at every boot.
    public var bootID: String?
    /// `/etc/machine-id` of the holder's machine, which survives reboots: tells a reboot
    /// of the same machine from another machine of the same name.
    public var machineID: String?
    /// The inode of the holder's `/proc/self/ns/pid`: its pid means something only there.
    public var pidNamespace: UInt64?
    /// Field 22 of `/proc/PID/stat`: clock ticks from boot to the holder's start. A pid
    /// reused by another process has another start time.
    public var startTime: UInt64?

    public init(
        user: String, machine: String, pid: Int32, time: String, command: String, runID: String,
        bootID: String? = nil, machineID: String? = nil, pidNamespace: UInt64? = nil, startTime: UInt64? = nil
    ) {
        self.user = user
        self.machine = machine
        self.pid = pid
        self.time = time
        self.command = command
        self.runID = runID
        self.bootID = bootID
        self.machineID = machineID
        self.pidNamespace = pidNamespace
        self.startTime = startTime
    }

    /// Whether the record carries what a staleness judgement needs.
    public var identifiesItsProcess: Bool { bootID != nil && pidNamespace != nil && startTime != nil }
}

/// What the judging process sees of a pid in its own PID namespace.
public enum ProcessSighting: Hashable, Sendable {
    /// No such process.
    case gone
    /// A process with that pid, started `startTime` clock ticks after boot.
    case running(startTime: UInt64)
    /// Cannot tell (no `/proc` of this namespace, no permission).
    case unknown
}

/// Whether a lock's holder can still be running, and why.
public enum LockStaleness: Hashable, Sendable {
    /// The holder cannot be running: the lock may be taken over.
    case stale(reason: String)
    /// The holder runs, or nothing here can prove it does not: only `xenplan unlock` frees it.
    case held(reason: String)

    public var isStale: Bool { if case .stale = self { return true } else { return false } }
}

extension LockRecord {
    /// Judges the holder `self` from the process `judge` (the would-be taker):
    ///
    /// - same boot and same PID namespace: stale when `sighting(pid)` shows the pid gone
    ///   or held by a process with another start time; held otherwise;
    /// - same boot, another PID namespace: held (its pid is not ours to look up);
    /// - another boot of the same machine (same name and same machine id): stale, since
    ///   no process survives a reboot;
    /// - another machine, or a record (either one) without the identifying fields: held.
    public func staleness(judgedBy judge: LockRecord, sighting: (Int32) -> ProcessSighting) -> LockStaleness {
        guard identifiesItsProcess, let bootID, let pidNamespace, let startTime else {
            return .held(
                reason:
                    "the lock record has no boot id, PID namespace or start time (an older xenplan wrote it), so nothing can prove its process gone")
        }
        guard judge.identifiesItsProcess, let judgeBoot = judge.bootID, let judgeNamespace = judge.pidNamespace else {
            return .held(reason: "this process cannot read its own boot id, PID namespace or start time from /proc")
        }
        guard bootID == judgeBoot else {
            if machine == judge.machine, let machineID, machineID == judge.machineID {
                return .stale(reason: "\(machine) has rebooted since (boot id \(bootID), now \(judgeBoot))")
            }
            return .held(
                reason: "it was taken on another machine (\(machine), boot id \(bootID)), where only that machine can tell whether pid \(pid) runs")
        }
        guard pidNamespace == judgeNamespace else {
            return .held(reason: "it was taken in another PID namespace (pid:[\(pidNamespace)]), where pid \(pid) cannot be looked up from here")
        }
        switch sighting(pid) {
        case .gone:
            return .stale(reason: "process \(pid) no longer exists")
        case let .running(now) where now != startTime:
            return .stale(reason: "pid \(pid) now belongs to another process (started at tick \(now), the holder at \(startTime))")
        case .running:
            return .held(reason: "process \(pid) still runs")
        case .unknown:
            return .held(reason: "whether process \(pid) runs cannot be read from /proc")
        }
    }
}
