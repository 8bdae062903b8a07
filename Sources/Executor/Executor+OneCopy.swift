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
        let states: [HostState]
        do {
            states = try await LabObservation.observe(Array(drivers.values)).states
        } catch {
            return ActionFailure(
                operation: operation.kind,
                message: "cannot check that \(name) runs nowhere else, so it is not started: \(error.description)")
        }
        for state in states {
            for d in state.domains where d.domid != 0 && d.name == name && d.state != .dying {
                if d.transient != nil, case .keepMigrationCopy = operation, state.name == target { continue }
                if case .migrate = operation, state.name == host { continue }
                // A start clears its own dead copy first; a restore does not, and `xl restore`
                // refuses a name Xen still holds.
                if state.name == target, !d.state.isUp, d.transient == nil, case .create = operation { continue }
                let what = d.transient.map { " (as \(name)--\($0 == .incoming ? "incoming" : "migratedaway"))" } ?? ""
                return ActionFailure(
                    operation: operation.kind,
                    message:
                        "\(name) already exists on \(state.name)\(what), \(d.state.rawValue); not started a second time. Run `xenplan plan` to see the lab as it is now"
                )
            }
        }
        switch operation {
        case .create, .restore: break
        default: return nil
        }
        let disks = disksOf(name, on: target, in: action, states.first { $0.name == target })
        for disk in disks where !disk.readOnly {
            let wanted = Syntax.deviceIdentity(disk.target)
            for state in states {
                for d in state.domains where d.domid != 0 && d.name != name && d.state.isUp {
                    if let other = d.disks.first(where: { Syntax.deviceIdentity($0.target) == wanted }) {
                        return ActionFailure(
                            operation: operation.kind,
                            message: "disk \(disk.vdev) of \(name) (\(disk.target)) is in use by \(d.name) on \(state.name)"
                                + (other.readOnly ? " (read-only)" : "") + "; \(name) is not started, so that no disk is written by two guests")
                    }
                }
            }
        }
        return nil
    }

    /// The disks `name` will start with on `host`: from the configuration this action
    /// writes there, else the one on the host.
    private func disksOf(_ name: String, on host: String, in action: PlannedAction, _ state: HostState?) -> [DomainConfig.Disk] {
        for (h, op) in action.steps where h == host {
            if case let .writeConfig(config) = op, config.name == name { return config.disks }
        }
        return state?.configs.first { $0.name == name }?.disks ?? []
    }
}
