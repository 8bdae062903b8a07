import HostModel
import Manifest
import XenplanBasics

/// What an interrupted migration leaves behind (xenplan or `xl` killed, a connection
/// dropped): `NAME--migratedaway` on the source, `NAME--incoming` on the target, or one
/// of them. Left alone, the domain would never converge; so the plan settles it first,
/// the way xl's own failure path does, and then plans the domain as usual.
struct MigrationRecovery {
    /// One copy Xen shows under a temporary name.
    struct Copy {
        var host: String
        var index: Int
        var role: TransientRole
    }

    /// The hosts as the phases after this one see them: a kept copy is the domain itself.
    private(set) var observed: ObservedState
    /// The recover-migration drafts, in the order they are added to the plan.
    private(set) var drafts: [Draft] = []
    /// Where each kept copy runs and what it costs.
    private(set) var kept: [String: Ledger.Entry] = [:]

    init(observed: ObservedState) {
        self.observed = observed
        var copies: [String: [Copy]] = [:]
        for host in observed.hostNames {
            guard let state = observed.hosts[host]?.state else { continue }
            for (i, d) in state.domains.enumerated() where d.domid != 0 && d.state != .dying {
                if let role = d.transient { copies[d.name, default: []].append(Copy(host: host, index: i, role: role)) }
            }
        }
        for name in copies.keys.sorted() { settle(name, copies: copies[name]!) }
    }

    private mutating func settle(_ name: String, copies found: [Copy]) {
        let keep = MigrationDecision.survivor(of: found, runsUnderItsName: observed.runningOn[name] != nil)
        for copy in found where !(copy.host == keep?.host && copy.role == keep?.role) {
            guard let d = observed.hosts[copy.host]?.state.domains[copy.index] else { continue }
            var draft = Draft(
                kind: .recoverMigration, host: copy.host, domain: name,
                summary: "destroy \(name)--\(Self.suffix(copy.role)), left by an interrupted migration",
                reason: keep.map { "the copy on \($0.host) is kept" } ?? "\(name) runs on \(observed.runningOn[name]!.first!)",
                disruption: .none, operations: [.discardMigrationCopy(domain: name, role: copy.role)])
            draft.releaseHost = copy.host
            draft.release = Resources(memory: Planner.footprint(of: d), vcpus: d.state.isUp ? d.vcpusOnline : 0)
            drafts.append(draft)
        }
        var survivor: (host: String, index: Int)?
        if let keep, let d = observed.hosts[keep.host]?.state.domains[keep.index] {
            drafts.append(
                Draft(
                    kind: .recoverMigration, host: keep.host, domain: name,
                    summary: "run \(name)--\(Self.suffix(keep.role)) as \(name) again",
                    reason: "an interrupted migration left it paused under a temporary name",
                    disruption: .none, operations: [.keepMigrationCopy(domain: name, role: keep.role)]))
            survivor = (keep.host, keep.index)
            kept[name] = Ledger.Entry(
                host: keep.host, usage: Resources(memory: Planner.footprint(of: d), vcpus: d.vcpusOnline),
                up: true)
        }
        observed.settle(name, keeping: survivor)
    }

    static func suffix(_ role: TransientRole) -> String { role == .incoming ? "incoming" : "migratedaway" }
}
