import HostModel
import Planner
import XenplanBasics

/// The last line of defence for the two invariants a mistake would make irreparable: a
/// domain runs on one host only, and a read-write disk is used by one running domain
/// only. The plan already respects them; this checks again, on every host as it is at
/// the moment, just before an operation that starts a copy of a domain, because someone
/// may have started the guest by hand since the plan was made.
extension Executor {
    /// Nil when `operation`, run on `host`, may go ahead; else why not.
    func checkOneCopy(_ operation: HostOperation, on host: String, in action: PlannedAction) async -> ActionFailure? {
        let target: String
        let name: String
        switch operation {
        case let .create(domain), let .restore(domain, _): (target, name) = (host, domain)
        case let .migrate(domain, to): (target, name) = (to, domain)
        case let .keepMigrationCopy(domain, _): (target, name) = (host, domain)
        default: return nil
        }
        let snapshot: SharedObservation.Snapshot
        let hosts = Array(drivers.values)
        let observed = await oneCopyObservation.fresh {
            do throws(LabObservation.Failure) {
                return .success(try await LabObservation.observe(hosts).states)
            } catch {
                return .failure(error)
            }
        }
        switch observed {
        case let .success(fresh): snapshot = fresh
        case let .failure(error):
            return ActionFailure(
                operation: operation.kind,
                message: "cannot check that \(name) runs nowhere else, so it is not started: \(error.description)")
        }
        for (place, d) in snapshot.byName[name] ?? [] {
            if d.transient != nil, case .keepMigrationCopy = operation, place == target { continue }
            if case .migrate = operation, place == host { continue }
            // A start clears its own dead copy first; a restore does not, and `xl restore`
            // refuses a name Xen still holds.
            if place == target, !d.state.isUp, d.transient == nil, case .create = operation { continue }
            let what = d.transient.map { " (as \(name)--\($0 == .incoming ? "incoming" : "migratedaway"))" } ?? ""
            return ActionFailure(
                operation: operation.kind,
                message:
                    "\(name) already exists on \(place)\(what), \(d.state.rawValue); not started a second time. Run `xenplan plan` to see the lab as it is now"
            )
        }
        switch operation {
        case .create, .restore: break
        default: return nil
        }
        let disks = disksOf(name, on: target, in: action, snapshot.configs[target]?[name])
        for disk in disks where !disk.readOnly {
            for (place, d, other) in snapshot.byDisk[Syntax.deviceIdentity(disk.target)] ?? [] where d.name != name {
                return ActionFailure(
                    operation: operation.kind,
                    message: "disk \(disk.vdev) of \(name) (\(disk.target)) is in use by \(d.name) on \(place)"
                        + (other.readOnly ? " (read-only)" : "") + "; \(name) is not started, so that no disk is written by two guests")
            }
        }
        return nil
    }

    /// The disks `name` will start with on `host`: from the configuration this action
    /// writes there, else the one on the host.
    private func disksOf(_ name: String, on host: String, in action: PlannedAction, _ config: DomainConfig?) -> [DomainConfig.Disk] {
        for (h, op) in action.steps where h == host {
            if case let .writeConfig(config) = op, config.name == name { return config.disks }
        }
        return config?.disks ?? []
    }
}
