import HostModel
import Manifest
import XenplanBasics

/// What an interrupted migration leaves behind (xenplan or `xl` killed, a connection
/// dropped): `NAME--migratedaway` on the source, `NAME--incoming` on the target, or one
/// of them. Left alone, the domain would never converge; so the plan settles it first,
/// the way xl's own failure path does, and then plans the domain as usual.
extension PlanBuilder {
    mutating func planMigrationRecovery() {
        var copies: [String: [(host: String, index: Int, role: TransientRole)]] = [:]
        for host in hostNames {
            guard let state = hosts[host]?.state else { continue }
            for (i, d) in state.domains.enumerated() where d.domid != 0 && d.state != .dying {
                if let role = d.transient { copies[d.name, default: []].append((host, i, role)) }
            }
        }
        for name in copies.keys.sorted() {
            let found = copies[name]!
            // A copy under the real name wins; else the source (it never stopped being
            // complete); else the receiver's copy, the only one left.
            let keep: (host: String, index: Int, role: TransientRole)?
            if runningOn[name] != nil {
                keep = nil
            } else {
                keep = found.first { $0.role == .migratedAway } ?? found.first { $0.role == .incoming }
            }
            for copy in found where !(copy.host == keep?.host && copy.role == keep?.role) {
                guard let d = hosts[copy.host]?.state.domains[copy.index] else { continue }
                var draft = Draft(kind: .recoverMigration, host: copy.host, domain: name,
                                  summary: "destroy \(name)--\(Self.suffix(copy.role)), left by an interrupted migration",
                                  reason: keep.map { "the copy on \($0.host) is kept" } ?? "\(name) runs on \(runningOn[name]!.first!)",
                                  disruption: .none, operations: [.discardMigrationCopy(domain: name, role: copy.role)])
                draft.releaseHost = copy.host
                draft.release = Resources(memory: Planner.footprint(of: d), vcpus: d.state.isUp ? d.vcpusOnline : 0)
                add(draft)
            }
            if let keep, let d = hosts[keep.host]?.state.domains[keep.index] {
                add(Draft(kind: .recoverMigration, host: keep.host, domain: name,
                          summary: "run \(name)--\(Self.suffix(keep.role)) as \(name) again",
                          reason: "an interrupted migration left it paused under a temporary name",
                          disruption: .none, operations: [.keepMigrationCopy(domain: name, role: keep.role)]))
                // From here on the planner sees the kept copy as the domain itself.
                hosts[keep.host]?.domains[name] = keep.index
                runningOn[name] = [keep.host]
                ledger[name] = LedgerEntry(host: keep.host, usage: Resources(memory: Planner.footprint(of: d), vcpus: d.vcpusOnline),
                                           up: true)
            }
            unsettled[name] = unsettled[name]?.filter { $0.hasSuffix("(dying)") || !$0.contains("--") }
            if unsettled[name]?.isEmpty == true { unsettled[name] = nil }
        }
    }

    /// A declared domain's configuration on a host where it does not run and is not
    /// going: removed, since a reboot of that host (xendomains) would start a second
    /// copy on the same disks.
    mutating func planStaleConfigs() {
        for d in lab.domains {
            guard let configured = configOn[d.name], configured.count > 0,
                  let home = runningOn[d.name]?.first ?? finalHost[d.name] else { continue }
            for host in configured where host != home && host != finalHost[d.name] {
                add(Draft(kind: .removeStaleConfig, host: host, domain: d.name,
                          summary: "remove the configuration of \(d.name), which runs on \(home)",
                          reason: "a reboot of \(host) would start a second \(d.name) on the same disks",
                          disruption: .none, operations: [.removeConfig(name: d.name)]))
            }
        }
    }

    static func suffix(_ role: TransientRole) -> String { role == .incoming ? "incoming" : "migratedaway" }
}
