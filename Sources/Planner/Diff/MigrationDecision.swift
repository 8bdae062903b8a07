import HostModel
import Manifest
import XenplanBasics

/// Whether a declared domain that exists moves to the host it is declared on, and how:
/// decided here and nowhere else. A running guest moves live when nothing stands in the
/// way. One that is not running moves by being cleared where it is and started there,
/// when that host reaches all its disks and has its bridges. One whose disks are on pools
/// the other host does not reach moves cold when it may restart: shut down, its volumes
/// copied, started there (`ColdMove`). Anything else stays where it is, saying why when it
/// was meant to move. After an interrupted migration, `survivor`
/// says which copy is the domain.
enum MigrationDecision: Equatable {
    /// Declared where it is, or not asked to move (declared stopped, or not running and
    /// unable to start on the other host).
    case stays
    /// Runs, and moves live to `to`.
    case live(to: String)
    /// Not running: cleared on its host and started on `to`.
    case startsElsewhere(to: String)
    /// Shut down (when it runs), its volumes copied to `to`, started there: its disks are on
    /// pools `to` does not reach, and it may restart.
    case cold(to: String)
    /// Declared on another host but cannot get there: it stays, for the reason given.
    case blocked(String)

    /// For a domain Xen shows on `source`, running or shut down or crashed, declared on
    /// `target`. `known` is its configuration, or what Xen still holds of it.
    static func forDomain(
        _ d: DomainSpec, _ s: DomainState, known: DomainConfig, on source: String, declared target: String,
        desired: DesiredState, observed: ObservedState
    ) -> MigrationDecision {
        guard target != source, d.state == .running else { return .stays }
        guard s.state.isUp else {
            if canStart(known, d, from: source, to: target, desired: desired, observed: observed) { return .startsElsewhere(to: target) }
            let cold = ColdMove(d, disks: known.disks, from: source, to: target, desired: desired, observed: observed)
            return cold.problems.isEmpty && !cold.copies.isEmpty && mayRestart(d, desired) ? .cold(to: target) : .stays
        }
        let problems = liveProblems(d, s, from: source, to: target, desired: desired, observed: observed)
        guard problems.isEmpty else {
            let disks = s.disks.map { DomainConfig.Disk(vdev: $0.vdev, target: $0.target, readOnly: $0.readOnly) }
            let cold = ColdMove(d, disks: disks, from: source, to: target, desired: desired, observed: observed)
            let why = "\(d.name) is declared on \(target) but runs on \(source) and cannot move live: " + problems.joined(separator: "; ")
            guard cold.problems.isEmpty, !cold.copies.isEmpty else {
                // What stands in the way of a cold move besides what stops the live one.
                let more = cold.problems.filter { !problems.contains($0) }
                return .blocked(why + (more.isEmpty ? "" : "; nor cold: " + more.joined(separator: "; ")) + "; it stays on \(source)")
            }
            if mayRestart(d, desired) { return .cold(to: target) }
            return .blocked(
                why + "; it stays on \(source): a cold move (shut down, copy its volumes to \(target), start there) "
                    + "needs restart: allowed or --allow-restart")
        }
        return .live(to: target)
    }

    /// A cold move shuts the guest down: a restart it must allow.
    private static func mayRestart(_ d: DomainSpec, _ desired: DesiredState) -> Bool {
        d.restart == .allowed || desired.options.allowRestart
    }

    /// For a domain known only by its configuration on `source`, declared on `target`.
    static func forConfiguration(
        _ d: DomainSpec, _ config: DomainConfig, on source: String, declared target: String,
        desired: DesiredState, observed: ObservedState
    ) -> MigrationDecision {
        guard target != source else { return .stays }
        if d.state == .running, canStart(config, d, from: source, to: target, desired: desired, observed: observed) {
            return .startsElsewhere(to: target)
        }
        if d.state == .running, mayRestart(d, desired) {
            let cold = ColdMove(d, disks: config.disks, from: source, to: target, desired: desired, observed: observed)
            if cold.problems.isEmpty && !cold.copies.isEmpty { return .cold(to: target) }
        }
        return .blocked(
            "\(d.name) is declared on \(target) but exists only as a configuration on \(source) (not running): "
                + "only a running domain moves; it stays on \(source)")
    }

    /// Which copy an interrupted migration left is the domain: none when it runs under
    /// its own name (the copies are discarded); else the source's, which never stopped
    /// being complete; else the receiver's, the only one left.
    static func survivor(of copies: [MigrationRecovery.Copy], runsUnderItsName: Bool) -> MigrationRecovery.Copy? {
        if runsUnderItsName { return nil }
        return copies.first { $0.role == .migratedAway } ?? copies.first { $0.role == .incoming }
    }

    /// The conditions a live migration from `o` to `h` fails, in words; empty when it can go.
    private static func liveProblems(
        _ d: DomainSpec, _ s: DomainState, from o: String, to h: String,
        desired: DesiredState, observed: ObservedState
    ) -> [String] {
        guard let target = observed.hosts[h] else { return ["host \(h) was not observed"] }
        guard let source = observed.hosts[o] else { return ["host \(o) was not observed"] }
        var problems: [String] = []
        if source.state.xenVersion != target.state.xenVersion {
            problems.append("Xen \(source.state.xenVersion) on \(o) but \(target.state.xenVersion) on \(h)")
        }
        // The seed is xenplan's own file, written on the target before the migration.
        for disk in s.disks where disk.target != CloudInitSeed.path(domain: d.name) {
            let vdev = Normalize.vdev(disk.vdev)
            guard let key = source.volumeByTarget[disk.target], let pool = desired.pool(container: key.container, reachedBy: o) else {
                problems.append("disk \(vdev) (\(disk.target)) is not on a shared pool")
                continue
            }
            if !pool.shared {
                problems.append("disk \(vdev) is on pool \(pool.name), which is not shared")
            } else if !pool.hosts.contains(h) {
                problems.append("disk \(vdev) is on pool \(pool.name), which \(h) does not reach")
            }
        }
        let bridges = desired.bridges(on: h)
        for b in Set(d.network.map(\.bridge) + s.nics.map(\.bridge)).sorted() where !bridges.contains(b) {
            problems.append("bridge \(b) is not declared on \(h)")
        }
        let disks = s.disks.map { DomainConfig.Disk(vdev: $0.vdev, target: $0.target, readOnly: $0.readOnly) }
        if let why = observed.diskInUse(d.name, disks: disks) { problems.append(why) }
        return problems
    }

    /// Whether a domain that is not running, with configuration `config` on `from`, can
    /// start on `to` instead: every disk on a shared pool `to` reaches, every bridge
    /// declared there.
    static func canStart(
        _ config: DomainConfig, _ d: DomainSpec, from: String, to: String,
        desired: DesiredState, observed: ObservedState
    ) -> Bool {
        guard observed.hosts[to] != nil, let source = observed.hosts[from] else { return false }
        for disk in config.disks {
            guard let key = source.volumeByTarget[disk.target], let pool = desired.pool(container: key.container, reachedBy: from),
                pool.shared, pool.hosts.contains(to)
            else { return false }
        }
        let bridges = desired.bridges(on: to)
        return d.network.allSatisfy { bridges.contains($0.bridge) }
    }
}
