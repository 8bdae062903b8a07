import Executor
import HostModel
import Manifest
import Planner
import XenplanBasics
import XenplanTestSupport

/// After an apply that was not disturbed, the hosts match the manifests, except where the
/// next plan says why not. The explanations that count, per difference:
///
/// | difference | explained by |
/// |---|---|
/// | any action left in the next plan | the destroy gate leaving it out (a destroy, or what depends on one) |
/// | a declared running domain runs nowhere | `unplaceable`, `in-transition`, `disk-in-use` |
/// | it runs on another host than declared | `migration-blocked`, `in-transition` |
/// | maxmem, maxvcpus, memory or vCPUs differ | `pending-restart` (for memory and vCPUs: only beyond the static maximum) |
/// | a declared stopped domain is up | `in-transition` |
/// | a migration's transient copy is left | `in-transition` |
/// | an undeclared managed domain still runs | no `--allow-destroy`, or `protected` |
///
/// A domain with a gated action in the next plan (one that waits for a destroy the apply
/// was not allowed) is explained by the gate. Nothing else explains anything: a stale
/// difference without a notice is a failure.
enum ConvergenceAudit {
    /// `heldByTheApply`: domains an action of which the apply left out by its gates (one
    /// that waited, for room, on a destroy it was not allowed): what is left of them may
    /// run now without waiting, but the apply rightly did not do it.
    static func check(
        plan: Plan, excluded: [Int: Exclusion], observed: [HostState], lab: Lab,
        gates: ApplyGates, heldByTheApply: Set<String> = []
    ) -> [String] {
        var problems: [String] = []
        let unexplained = plan.actions.filter { excluded[$0.id] == nil && !heldByTheApply.contains($0.domain ?? "") }
        if !unexplained.isEmpty {
            problems.append(
                "apply then plan is not empty: "
                    + unexplained.map { "#\($0.id) \($0.kind.rawValue) \($0.domain ?? "") on \($0.host): \($0.summary)" }
                    .joined(separator: "; "))
        }
        var notices: [String: Set<NoticeKind>] = [:]
        for n in plan.notices { if let d = n.domain { notices[d, default: []].insert(n.kind) } }
        let gated = Set(plan.actions.filter { excluded[$0.id] != nil }.compactMap(\.domain)).union(heldByTheApply)
        func explained(_ name: String, by kinds: Set<NoticeKind>) -> Bool {
            gated.contains(name) || !(notices[name] ?? []).isDisjoint(with: kinds)
        }

        var up: [String: [(host: String, state: DomainState)]] = [:]
        var transient: Set<String> = []
        for host in observed {
            for d in host.guests {
                if d.transient != nil { transient.insert(d.name) } else if d.state.isUp { up[d.name, default: []].append((host.name, d)) }
            }
        }
        for name in transient.sorted() where !explained(name, by: [.inTransition]) {
            problems.append("\(name): a migration's transient copy is left without an in-transition notice")
        }
        for d in lab.domains where !transient.contains(d.name) {
            let copies = up[d.name] ?? []
            if d.state == .suspended {
                if !copies.isEmpty && !explained(d.name, by: [.inTransition]) {
                    problems.append("\(d.name): declared suspended but up on \(copies.map(\.host).joined(separator: ", "))")
                }
                if copies.isEmpty, !observed.contains(where: { $0.save(of: d.name) != nil }), !explained(d.name, by: [.saveMissing]) {
                    problems.append("\(d.name): declared suspended, runs nowhere, has no save file, and no notice says so")
                }
                continue
            }
            if d.state == .stopped {
                if !copies.isEmpty && !explained(d.name, by: [.inTransition]) {
                    problems.append("\(d.name): declared stopped but up on \(copies.map(\.host).joined(separator: ", "))")
                }
                continue
            }
            guard let (host, s) = copies.first else {
                if !explained(d.name, by: [.unplaceable, .inTransition, .diskInUse]) {
                    problems.append("\(d.name): declared running but runs nowhere, and no notice says why")
                }
                continue
            }
            if let declared = d.host, declared != host, !explained(d.name, by: [.migrationBlocked, .inTransition]) {
                problems.append("\(d.name): declared on \(declared) but runs on \(host), and no notice says why")
            }
            var differences: [String] = []
            if !same(s.memoryStaticMax, d.maxmem) { differences.append("maxmem \(s.memoryStaticMax) ≠ \(d.maxmem)") }
            if s.maxVcpus != d.maxvcpus { differences.append("maxvcpus \(s.maxVcpus) ≠ \(d.maxvcpus)") }
            if !same(s.memoryTarget, d.memory) {
                if d.memory <= s.memoryStaticMax {
                    if !gated.contains(d.name) { problems.append("\(d.name): memory target \(s.memoryTarget) ≠ declared \(d.memory) on \(host)") }
                } else {
                    differences.append("memory \(s.memoryTarget) ≠ \(d.memory)")
                }
            }
            if s.vcpusOnline != d.vcpus {
                if d.vcpus <= s.maxVcpus {
                    if !gated.contains(d.name) { problems.append("\(d.name): \(s.vcpusOnline) vCPUs online ≠ declared \(d.vcpus) on \(host)") }
                } else {
                    differences.append("vcpus \(s.vcpusOnline) ≠ \(d.vcpus)")
                }
            }
            if !differences.isEmpty && !explained(d.name, by: [.pendingRestart, .inTransition, .diskInUse]) {
                problems.append("\(d.name): \(differences.joined(separator: ", ")) without a pending-restart notice")
            }
            if observed.first(where: { $0.name == host })?.config(named: d.name) == nil {
                problems.append("\(d.name): runs on \(host) without xenplan's configuration there (not adopted)")
            }
        }
        for host in observed {
            for d in host.guests where d.transient == nil && d.state.isUp && lab.domain(d.name) == nil {
                guard let config = host.config(named: d.name), !config.protect, gates.allowDestroy else { continue }
                if !explained(d.name, by: [.protected]) {
                    problems.append("\(d.name): managed, no longer declared, still up on \(host.name) after an apply with --allow-destroy")
                }
            }
        }
        return problems
    }

    /// Equal within a page-rounding MiB.
    static func same(_ a: ByteSize, _ b: ByteSize) -> Bool { abs(a.kib - b.kib) <= 1024 }
}
