import FoundationEssentials
import HostModel
import Planner
import XenplanBasics

/// "Still running" lines for long actions: an image copy, a live migration or a shutdown
/// can take minutes, and a silent terminal looks like a hung one. Each running action is
/// due a line every `interval` after it started. Times are passed in, so the schedule
/// is tested without a clock; `HeartbeatTicker` drives it with the real one.
struct Heartbeat {
    static let interval: Duration = .seconds(10)

    private var running: [Int: (action: PlannedAction, started: Duration, last: Duration, step: Int?, known: String?)] = [:]

    mutating func started(_ action: PlannedAction, at now: Duration) { running[action.id] = (action, now, now, nil, nil) }
    mutating func ended(_ id: Int) { running[id] = nil }
    /// The action has reached its operation `step`.
    mutating func performing(_ id: Int, step: Int) { running[id]?.step = step }

    /// What was last learnt of a running action (a balloon's memory still to give back):
    /// its next line says that instead of `activity(of:)`.
    mutating func learnt(_ id: Int, _ known: String) { running[id]?.known = known }

    /// The actions due a line at `now`, in id order, with how long each has run and what
    /// it is busy with (from the step it has reached, or what was last learnt of it).
    mutating func due(at now: Duration) -> [(action: PlannedAction, elapsed: Duration, activity: String)] {
        var out: [(PlannedAction, Duration, String)] = []
        for id in running.keys.sorted() {
            guard let entry = running[id], now - entry.last >= Self.interval else { continue }
            running[id]?.last = now
            out.append((entry.action, now - entry.started, entry.known ?? Self.activity(of: entry.action, step: entry.step)))
        }
        return out
    }

    /// A balloon still coming down: `www holds 1.6 GiB, 612 MiB still to give back (target 1 GiB)`.
    static func balloon(domain: String, holds: ByteSize, target: ByteSize) -> String {
        "\(domain) holds \(holds), \(holds - target) still to give back (target \(target))"
    }

    /// What the action is busy with, as far as its operations tell, from the step it has
    /// reached (`step`) on: `copying image debian12 into vg76/conf-web-root`, `live
    /// migration to cpt76`, `waiting for www to shut down (up to 120 s)`, `backing up web
    /// (2 disks) to /srv/backup`, `copying vga/db-root (10 GiB) to b over ssh (volume 1 of 2)`.
    static func activity(of action: PlannedAction, step: Int? = nil) -> String {
        let sends = action.operations.filter { if case .sendVolume = $0 { true } else { false } }
        for operation in action.operations.dropFirst(step ?? 0) {
            switch operation {
            case let .sendVolume(t):
                let n = (sends.firstIndex(of: operation) ?? 0) + 1
                if t.alreadyCopied {
                    return "checking \(t.container)/\(t.name) against its copy on \(t.toHost) (volume \(n) of \(sends.count))"
                }
                return "copying \(t.container)/\(t.name) (\(t.size)) to \(t.toHost) over ssh (volume \(n) of \(sends.count))"
            case let .createVolumeFromImage(container, name, _, image):
                return "copying image \(image.name) into \(container)/\(name)"
            case let .migrate(domain, toHost): return "live migration of \(domain) to \(toHost)"
            case let .shutdown(domain, timeout): return "waiting for \(domain) to shut down (up to \(timeout) s, then xl destroy)"
            case let .create(domain): return "xl create \(domain)"
            case let .save(domain, directory):
                return "saving \(domain)'s memory to \(SaveState.path(directory: directory, domain: domain))"
            case let .restore(domain, directory):
                return "restoring \(domain) from \(SaveState.path(directory: directory, domain: domain))"
            case let .backup(job):
                return "backing up \(job.domain) (\(job.disks.count) disk\(job.disks.count == 1 ? "" : "s")) to \(job.directory)"
            case let .restoreVolume(_, name, _, source, _): return "restoring \(name) from backup \(source.id)"
            default: continue
            }
        }
        return action.waitsForBalloon ? "waiting for \(action.domain ?? "the guest")'s balloon" : "running"
    }
}

/// Calls `emit` once a second with the actions due a heartbeat, on the real clock,
/// until it is released.
final class HeartbeatTicker: @unchecked Sendable {
    private let lock = Lock()
    private var heartbeat = Heartbeat()
    private let origin = ContinuousClock.now
    private var task: Task<Void, Never>?

    init(emit: @escaping @Sendable (PlannedAction, Duration, String) -> Void) {
        task = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard let self else { return }
                for (action, elapsed, activity) in self.due() { emit(action, elapsed, activity) }
            }
        }
    }

    deinit { task?.cancel() }

    func started(_ action: PlannedAction) { lock.withLock { heartbeat.started(action, at: ContinuousClock.now - origin) } }
    func ended(_ action: PlannedAction) { lock.withLock { heartbeat.ended(action.id) } }
    func learnt(_ action: PlannedAction, _ known: String) { lock.withLock { heartbeat.learnt(action.id, known) } }
    func performing(_ action: PlannedAction, step: Int) { lock.withLock { heartbeat.performing(action.id, step: step) } }
    private func due() -> [(action: PlannedAction, elapsed: Duration, activity: String)] {
        lock.withLock { heartbeat.due(at: ContinuousClock.now - origin) }
    }
}
