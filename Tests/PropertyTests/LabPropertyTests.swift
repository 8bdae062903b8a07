import Foundation
import HostModel
import Testing
import XenplanTestSupport

/// xenplan never harms a lab: generated labs on simulated hosts live through random
/// steps (new manifests, changes by hand, faults, interruptions, kills), and after every
/// host operation and every step the safety promises are checked (docs/safety.md).
///
/// `XENPLAN_PROPERTY_TRANSITIONS` (default 2000) steps in all, `XENPLAN_PROPERTY_STEPS`
/// (default 20) per case; `XENPLAN_PROPERTY_SEED=N` replays the one case of seed N.
@Suite struct LabPropertyTests {
    static let environment = ProcessInfo.processInfo.environment
    static let steps = Int(environment["XENPLAN_PROPERTY_STEPS"] ?? "").map { max(1, $0) } ?? 20
    static let transitions = Int(environment["XENPLAN_PROPERTY_TRANSITIONS"] ?? "").map { max(1, $0) } ?? 2000
    /// The first case's seed; the others follow it.
    static let survey = environment["XENPLAN_PROPERTY_SURVEY"] == "1"
    static let jobs = Int(environment["XENPLAN_PROPERTY_JOBS"] ?? "").map { max(1, $0) } ?? 2
    static let baseSeed: UInt64 = UInt64(environment["XENPLAN_PROPERTY_BASE_SEED"] ?? "") ?? 20_261_201

    static var seeds: [UInt64] {
        if let text = environment["XENPLAN_PROPERTY_SEED"], let seed = UInt64(text) { return [seed] }
        return (0..<UInt64(max(1, transitions / steps))).map { baseSeed &+ $0 }
    }

    @Test func generatedLabsAreNeverHarmed() async {
        let seeds = Self.seeds, steps = Self.steps
        let started = ContinuousClock.now
        // Two cases at a time: one plans, checks or reads its hosts while the other applies.
        let (statistics, failures) = await withTaskGroup(of: (PropertyStatistics, (PropertyCase, PropertyFailure)?).self) { group in
            var pending = seeds[...]
            var total = PropertyStatistics(), failures: [(PropertyCase, PropertyFailure)] = []
            func start() {
                guard let seed = pending.popFirst() else { return }
                group.addTask {
                    let c = PropertyCase.generate(seed: seed, steps: steps)
                    var statistics = PropertyStatistics()
                    let failure = await LabProperty.run(c, statistics: &statistics)
                    return (statistics, failure.map { (c, $0) })
                }
            }
            for _ in 0..<Self.jobs { start() }
            while let (statistics, failure) = await group.next() {
                total = total + statistics
                if let failure { failures.append(failure) }
                // The first failure is the one reported; the rest of the budget goes to shrinking it.
                // A survey (`XENPLAN_PROPERTY_SURVEY=1`) runs every case and lists each one's first problem.
                if failures.isEmpty || Self.survey { start() }
            }
            return (total, failures)
        }
        print(
            "property suite: \(seeds.count) cases, \(statistics.steps) steps, \(statistics.applies) applies, "
                + "\(statistics.actions) actions, \(statistics.operations) host operations checked, "
                + "\(statistics.disturbed) disturbed (\(statistics.refusedAfterDisturbance) then refused), \(statistics.refusals) refused plans, "
                + "\(statistics.backupsMade) backups made by `backup` runs, \(statistics.coldMoves) cold moves, "
                + "\(statistics.createsTriedAgain) creates tried again, "
                + "in \(ContinuousClock.now - started)")
        if Self.survey {
            for (c, failure) in failures.sorted(by: { $0.0.seed < $1.0.seed }) {
                print("seed \(c.seed) step \(failure.step): \(failure.problems.first ?? "")")
            }
        }
        if let (c, failure) = failures.min(by: { $0.0.seed < $1.0.seed }) {
            let (shrunk, shrunkFailure) = await LabProperty.shrink(c, failure)
            Issue.record(Comment(rawValue: LabProperty.report(shrunk, shrunkFailure, original: c, steps: steps)))
        } else {
            #expect(statistics.steps >= seeds.count * (steps + 1))
            // Backups really happen (not only refused plans) when the run is long enough.
            #expect(seeds.count < 50 || statistics.backupsMade > 0)
        }
    }

    @Test func theSameSeedGivesTheSameCase() {
        let a = PropertyCase.generate(seed: 42, steps: 30), b = PropertyCase.generate(seed: 42, steps: 30)
        #expect(a.lab == b.lab)
        #expect(a.transitions == b.transitions)
        #expect(PropertyCase.generate(seed: 43, steps: 30).transitions != a.transitions)
    }

    @Test func generatedLabsStayWithinTheManifestRules() {
        var seeded = 0, identityChanges = 0, suspends = 0, resumes = 0, policies = 0, backups = 0, restores = 0
        for seed in UInt64(0)..<200 {
            let c = PropertyCase.generate(seed: seed, steps: 20)
            #expect(c.lab.problems() == [], "seed \(seed)")
            #expect((2...5).contains(c.lab.hosts.count))
            #expect(c.lab.domains.count <= 40)
            seeded += c.lab.domains.filter(\.seeded).count
            identityChanges += c.transitions.filter { if case .setIdentity = $0.change { true } else { false } }.count
            suspends += c.transitions.filter { if case .setSuspended(_, true) = $0.change { true } else { false } }.count
            resumes += c.transitions.filter { if case .setSuspended(_, false) = $0.change { true } else { false } }.count
            policies += c.lab.backups == nil ? 0 : 1
            backups += c.transitions.filter(\.backupFirst).count
            restores += c.transitions.filter { $0.restoreAs != nil }.count
        }
        // Suspend and resume, labs with a backup policy, backups and restores run in the
        // middle of a lab's life are part of it too.
        #expect(suspends > 100 && resumes > 50)
        #expect(policies > 60 && backups > 200 && restores > 30)
        // Guests made from the image, with a first-boot seed, and changes of their identity
        // are part of what the property suite exercises.
        #expect(seeded > 50)
        #expect(identityChanges > 10)
    }
}
