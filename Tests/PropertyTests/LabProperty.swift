import Executor
import Foundation
import HostModel
import Manifest
import Planner
import XenplanTestSupport

/// A generated case: a lab and the steps of its life, all drawn from one seed.
struct PropertyCase: Sendable {
    var seed: UInt64
    var lab: LabBlueprint
    var transitions: [LabTransition]

    static func generate(seed: UInt64, steps: Int) -> PropertyCase {
        var generator = LabGenerator(seed: seed)
        let lab = generator.lab()
        var current = lab
        var transitions: [LabTransition] = []
        for _ in 0..<steps {
            let t = generator.transition(from: current)
            if let change = t.change, let next = change.applied(to: current) { current = next }
            transitions.append(t)
        }
        return PropertyCase(seed: seed, lab: lab, transitions: transitions)
    }
}

/// The first broken promise of a case: at which step (-1: the first apply), what, and the
/// manifests at that step.
struct PropertyFailure: Sendable {
    var step: Int
    var problems: [String]
    var manifests: String
}

/// What the suite did, to show that it tested something.
struct PropertyStatistics: Sendable {
    var steps = 0
    var applies = 0
    var operations = 0
    var refusals = 0
    var disturbed = 0
    var actions = 0
    var refusedAfterDisturbance = 0
    /// Backups that `xenplan backup` and the safety net made.
    var backupsMade = 0
    /// Cold moves carried out to the end.
    var coldMoves = 0
    /// Creates that failed on libxl's hotplug deadline and were tried again.
    var createsTriedAgain = 0

    static func + (a: Self, b: Self) -> Self {
        Self(
            steps: a.steps + b.steps, applies: a.applies + b.applies, operations: a.operations + b.operations,
            refusals: a.refusals + b.refusals, disturbed: a.disturbed + b.disturbed, actions: a.actions + b.actions,
            refusedAfterDisturbance: a.refusedAfterDisturbance + b.refusedAfterDisturbance, backupsMade: a.backupsMade + b.backupsMade,
            coldMoves: a.coldMoves + b.coldMoves, createsTriedAgain: a.createsTriedAgain + b.createsTriedAgain)
    }
}

/// Replays a case on fresh simulated hosts and checks every promise after every host
/// operation and every step.
enum LabProperty {
    static func run(_ c: PropertyCase, statistics: inout PropertyStatistics) async -> PropertyFailure? {
        let world: PropertyWorld
        do {
            world = try PropertyWorld(c.lab)
        } catch {
            return PropertyFailure(step: -1, problems: ["\(error)"], manifests: c.lab.manifestText())
        }
        defer { statistics.operations += world.monitor.checkedOperations }
        var blueprint = c.lab
        var lab = world.initialLab
        let steps = [LabTransition()] + c.transitions
        for (index, t) in steps.enumerated() {
            let step = index - 1
            if let change = t.change, let next = change.applied(to: blueprint) { blueprint = next }
            do {
                lab = try world.write(blueprint)
                world.simClock.advance(by: 60)
                for change in t.outOfBand { try world.outOfBand(change) }
                try world.monitor.rebaseline()
                for fault in t.faults { try world.inject(fault) }
            } catch {
                return PropertyFailure(step: step, problems: ["\(error)"], manifests: blueprint.manifestText())
            }
            statistics.steps += 1
            var problems = await backups(t, lab: lab, in: world, statistics: &statistics)
            if problems.isEmpty { problems = await check(t, lab: lab, in: world, statistics: &statistics) }
            if !problems.isEmpty {
                return PropertyFailure(step: step, problems: problems, manifests: blueprint.manifestText())
            }
        }
        return nil
    }

    /// `xenplan backup` and `xenplan restore --as` when the step asks for them: nothing
    /// taken away, no two copies, no snapshot left behind, whatever faults the step injected.
    static func backups(
        _ t: LabTransition, lab: Lab, in world: PropertyWorld, statistics: inout PropertyStatistics
    ) async -> [String] {
        var runs: [(String, ApplyPurpose)] = []
        if t.backupFirst { runs.append(("backup", .backup(domains: []))) }
        if let r = t.restoreAs { runs.append(("restore \(r.domain) --as \(r.newName)", .restore(domain: r.domain, id: nil, newName: r.newName))) }
        var problems: [String] = []
        for (what, purpose) in runs {
            guard let before = try? world.snapshot() else { return ["cannot read the hosts"] }
            let result = await world.converge(lab, gates: ApplyGates(), purpose: purpose)
            statistics.applies += 1
            if result.refusal != nil { statistics.refusals += 1 }
            if let error = result.error { problems.append("\(what) stopped: \(error)") }
            world.monitor.check(after: nil, on: "every host", failed: false)
            problems += world.monitor.drain()
            guard let after = try? world.snapshot() else { return problems + ["cannot read the hosts after \(what)"] }
            statistics.backupsMade += GateAudit.newBackups(before: before, after: after).records
            problems += GateAudit.check(before: before, after: after, lab: lab, gates: ApplyGates())
            for host in after {
                for v in host.volumes where v.name.hasSuffix(BackupJob.snapshotSuffix) {
                    problems.append("\(what) left the snapshot \(v.container)/\(v.name) on \(host.name)")
                }
            }
            if t.faults.allSatisfy(\.isAbsorbed), let report = result.report {
                for (action, failure) in report.failed {
                    problems.append("\(what): #\(action.id) \(action.kind.rawValue) \(action.domain ?? "") failed with no fault injected: \(failure)")
                }
            }
        }
        return problems
    }

    /// One step: apply (disturbed as the step says), check the gates and the monitor;
    /// after a disturbed apply, apply again undisturbed; then the hosts must match the
    /// manifests as far as the next plan does not explain otherwise.
    static func check(
        _ t: LabTransition, lab: Lab, in world: PropertyWorld,
        statistics: inout PropertyStatistics
    ) async -> [String] {
        var problems: [String] = []
        func applyOnce(disturbed: Bool) async -> ApplyResult? {
            guard let before = try? world.snapshot(), let filesBefore = try? world.files() else {
                problems.append("cannot read the hosts")
                return nil
            }
            var stopAfter: Int?
            switch disturbed ? t.interruption : nil {
            case let .stopAfterStarting(n)?: stopAfter = n
            case let .crashAfterOperations(n, mid)?: world.control.arm(crashAfter: n, midOperation: mid)
            case nil: break
            }
            let result = await world.converge(lab, gates: t.gates, stopAfter: stopAfter)
            world.control.arm(crashAfter: nil, midOperation: false)
            statistics.applies += 1
            statistics.actions += result.plan.map { $0.actions.count - result.excluded.count } ?? 0
            if result.refusal != nil { statistics.refusals += 1 }
            if let error = result.error { problems.append("apply stopped: \(error)") }
            world.monitor.check(after: nil, on: "every host", failed: false)
            problems += world.monitor.drain()
            if let after = try? world.snapshot() {
                problems += GateAudit.check(before: before, after: after, lab: lab, gates: t.gates)
            }
            statistics.coldMoves += result.report?.done.filter { $0.kind == .move }.count ?? 0
            if let filesAfter = try? world.files() {
                problems += MoveAudit.check(result.report, before: filesBefore, after: filesAfter, gates: t.gates)
            }
            return result
        }

        var result = await applyOnce(disturbed: t.isDisturbed)
        if let files = try? world.files() {
            for f in t.faults where f.isAbsorbed {
                statistics.createsTriedAgain += f.times - (files[f.host]?.failures[f.operation]?.remaining ?? 0)
            }
        }
        // A fault the drivers absorbed that this apply never reached stands for a moment
        // that has passed.
        if !t.isDisturbed, !t.faults.isEmpty {
            do {
                try world.clearFaults()
            } catch {
                return problems + ["\(error)"]
            }
        }
        if t.isDisturbed {
            statistics.disturbed += 1
            do {
                try world.clearFaults()
            } catch {
                return problems + ["\(error)"]
            }
            // What is left is explained by the next plan, or by its refusal (naming the hosts
            // and what they lack: a restart cut between shutdown and create on a host a person
            // filled beyond its vCPU limit cannot be completed); either way the hosts must be
            // readable and the next apply checked like any other.
            if case .failure? = try? world.plan(lab, gates: t.gates), result?.refusal == nil {
                statistics.refusedAfterDisturbance += 1
            }
            result = await applyOnce(disturbed: false)
        }
        guard problems.isEmpty, let result, result.refusal == nil else { return problems }
        if let report = result.report {
            for (action, failure) in report.failed where failure.operation != "balloon" {
                problems.append(
                    "#\(action.id) \(action.kind.rawValue) \(action.domain ?? "") on \(action.host) failed with no fault injected: \(failure)")
            }
            // A guest without a balloon driver stops the apply: what is left is explained by it.
            if report.failed.contains(where: { $0.failure.operation == "balloon" }) { return problems }
        }
        switch try? world.plan(lab, gates: t.gates) {
        case let .success(plan)?:
            let excluded = PropertyWorld.exclusions(in: plan, gates: t.gates)
            let held: Set<String> =
                result.plan.map { applied in
                    Set(PropertyWorld.exclusions(in: applied, gates: t.gates).keys.compactMap { id in applied.actions.first { $0.id == id }?.domain })
                } ?? []
            let audit = ConvergenceAudit.check(
                plan: plan, excluded: excluded, observed: (try? world.snapshot()) ?? [],
                lab: lab, gates: t.gates, heldByTheApply: held)
            problems += audit
            if !audit.isEmpty, let applied = result.plan {
                problems.append("the apply's plan was: " + describe(applied))
                problems.append("the next plan is: " + describe(plan))
            }
        case let .failure(refusal)?:
            problems.append("the plan after a successful apply is refused: \(refusal.message)")
        case nil:
            problems.append("cannot read the hosts after the apply")
        }
        return problems
    }

    static func describe(_ plan: Plan) -> String {
        let actions = plan.actions.map { "#\($0.id) \($0.kind.rawValue) \($0.domain ?? "") on \($0.host): \($0.summary)" }
        let notices = plan.notices.map { "! \($0.kind.rawValue) \($0.domain ?? ""): \($0.message)" }
        return (actions + notices).joined(separator: "; ")
    }

    // MARK: Shrinking

    /// Smaller cases that still fail: fewer steps, fewer initial domains and hosts,
    /// simpler steps. Greedy, bounded by `budget` replays.
    static func shrink(_ c: PropertyCase, _ failure: PropertyFailure, budget: Int = 150) async -> (PropertyCase, PropertyFailure) {
        var best = c, bestFailure = failure, runs = 0
        var ignored = PropertyStatistics()
        best.transitions = Array(best.transitions.prefix(max(0, failure.step + 1)))
        var improved = true
        while improved && runs < budget {
            improved = false
            for candidate in candidates(best) {
                guard runs < budget else { break }
                runs += 1
                if let f = await run(candidate, statistics: &ignored) {
                    best = candidate
                    best.transitions = Array(best.transitions.prefix(max(0, f.step + 1)))
                    bestFailure = f
                    improved = true
                    break
                }
            }
        }
        return (best, bestFailure)
    }

    static func candidates(_ c: PropertyCase) -> [PropertyCase] {
        var result: [PropertyCase] = []
        for i in c.transitions.indices.reversed() {
            var smaller = c
            smaller.transitions.remove(at: i)
            result.append(smaller)
        }
        for d in c.lab.domains {
            var smaller = c
            smaller.lab.domains.removeAll { $0.name == d.name }
            if smaller.lab.problems().isEmpty { result.append(smaller) }
        }
        for h in c.lab.hosts where c.lab.hosts.count > 1 {
            if let lab = without(host: h.name, c.lab) {
                var smaller = c
                smaller.lab = lab
                smaller.transitions = c.transitions.filter { t in
                    !t.outOfBand.contains { $0.host == h.name } && !t.faults.contains { $0.host == h.name }
                }
                result.append(smaller)
            }
        }
        for i in c.transitions.indices {
            let t = c.transitions[i]
            var simpler: [LabTransition] = []
            if !t.outOfBand.isEmpty { simpler.append(with(t) { $0.outOfBand = [] }) }
            if t.outOfBand.count > 1 {
                for j in t.outOfBand.indices { simpler.append(with(t) { $0.outOfBand.remove(at: j) }) }
            }
            if t.gates != ApplyGates() { simpler.append(with(t) { $0.gates = ApplyGates() }) }
            if !t.faults.isEmpty { simpler.append(with(t) { $0.faults = [] }) }
            if t.interruption != nil { simpler.append(with(t) { $0.interruption = nil }) }
            if t.backupFirst || t.restoreAs != nil {
                simpler.append(
                    with(t) {
                        $0.backupFirst = false; $0.restoreAs = nil
                    })
            }
            if t.change != nil && (!t.outOfBand.isEmpty || t.isDisturbed) { simpler.append(with(t) { $0.change = nil }) }
            for s in simpler {
                var smaller = c
                smaller.transitions[i] = s
                result.append(smaller)
            }
        }
        return result
    }

    private static func with(_ t: LabTransition, _ body: (inout LabTransition) -> Void) -> LabTransition {
        var copy = t
        body(&copy)
        return copy
    }

    /// The lab without a host: its placed domains go, pools lose it (a shared pool left
    /// with one host becomes local), disks on pools that are gone go too.
    static func without(host: String, _ lab: LabBlueprint) -> LabBlueprint? {
        var next = lab
        next.hosts.removeAll { $0.name == host }
        next.domains.removeAll { $0.host == host }
        for i in next.pools.indices {
            next.pools[i].hosts.removeAll { $0 == host }
            if next.pools[i].hosts.count < 2 { next.pools[i].shared = false }
        }
        next.pools.removeAll { $0.hosts.isEmpty }
        let reduced = next
        for i in next.domains.indices {
            let domain = next.domains[i]
            next.domains[i].disks.removeAll { disk in
                disk.pool.map { reduced.pool($0) == nil } ?? false || reduced.effectivePool(of: disk, in: domain) == nil
            }
        }
        return next.problems().isEmpty ? next : nil
    }

    /// Everything needed to see and replay a failure.
    static func report(_ c: PropertyCase, _ failure: PropertyFailure, original: PropertyCase, steps: Int) -> String {
        var text = "Property failed: seed \(original.seed), step \(failure.step) (of \(original.transitions.count))\n"
        text += "Replay: XENPLAN_PROPERTY_SEED=\(original.seed) XENPLAN_PROPERTY_STEPS=\(steps) swift test --filter PropertyTests\n"
        text += "Problems:\n" + failure.problems.map { "  - \($0)" }.joined(separator: "\n") + "\n"
        text += "Shrunk case: \(c.lab.hosts.count) hosts, \(c.lab.domains.count) domains, \(c.transitions.count) steps\n"
        for (i, t) in c.transitions.enumerated() { text += "  step \(i): \(t.description)\n" }
        text += "Initial manifests:\n\(c.lab.manifestText())\n"
        text += "Manifests at the failing step:\n\(failure.manifests)"
        return text
    }
}
