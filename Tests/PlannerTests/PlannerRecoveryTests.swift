import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// An interrupted migration leaves `NAME--migratedaway` / `NAME--incoming` copies; the
/// plan settles them first and then converges as usual. A declared domain's
/// configuration left on another host is removed.
@Suite struct PlannerRecoveryTests {
    /// git was on cpt18 and is declared on cpt76; a migration to cpt76 was cut short.
    static func interrupted(source: Bool, incoming: Bool, settledOn: String? = nil) -> (Lab, [HostState]) {
        let before = Std.lab(Std.lab().domains.with("git") { $0.host = "cpt18" })
        var hosts = Fixture.converged(before)
        let original = hosts[named: "cpt18"].domain(named: "git")!
        hosts[named: "cpt18"].removeDomain("git")
        if source {
            var copy = original
            copy.transient = .migratedAway
            copy.state = .paused
            hosts[named: "cpt18"].addDomain(copy)
        }
        if incoming {
            var copy = original
            copy.transient = .incoming
            copy.state = .paused
            copy.domid = 42
            hosts[named: "cpt76"].addDomain(copy)
        }
        if let settledOn {
            var copy = original
            copy.domid = 43
            hosts[named: settledOn].addDomain(copy)
        }
        return (Std.lab(), hosts)
    }

    @Test func bothCopiesLeftTheSourceIsResumedThenTheMigrationRunsAgain() throws {
        let (lab, hosts) = Self.interrupted(source: true, incoming: true)
        let plan = try Planner.plan(lab: lab, observed: hosts)
        let git = plan.actions.filter { $0.domain == "git" }
        #expect(git.map(\.kind) == [.recoverMigration, .recoverMigration, .migrate, .writeConfig])
        #expect(git[0].host == "cpt76" && git[0].operations == [.discardMigrationCopy(domain: "git", role: .incoming)])
        #expect(git[1].host == "cpt18" && git[1].operations == [.keepMigrationCopy(domain: "git", role: .migratedAway)])
        #expect(git[1].dependsOn.contains(git[0].id))
        #expect(git[2].dependsOn.contains(git[1].id))
        #expect(!plan.notices.contains { $0.kind == .inTransition })
        let after = try applying(plan, to: hosts)
        #expect(lines(try Planner.plan(lab: lab, observed: after)) == [])
    }

    @Test func onlyTheSourceLeftIsResumed() throws {
        let (lab, hosts) = Self.interrupted(source: true, incoming: false)
        let plan = try Planner.plan(lab: lab, observed: hosts)
        #expect(plan.actions.first?.operations == [.keepMigrationCopy(domain: "git", role: .migratedAway)])
        #expect(lines(try Planner.plan(lab: lab, observed: try applying(plan, to: hosts))) == [])
    }

    @Test func theReceiversCopyIsKeptWhenItIsTheOnlyOne() throws {
        let (lab, hosts) = Self.interrupted(source: false, incoming: true)
        let plan = try Planner.plan(lab: lab, observed: hosts)
        let git = plan.actions.filter { $0.domain == "git" }
        #expect(git.first?.host == "cpt76")
        #expect(git.first?.operations == [.keepMigrationCopy(domain: "git", role: .incoming)])
        #expect(!git.contains { $0.kind == .migrate })
        #expect(lines(try Planner.plan(lab: lab, observed: try applying(plan, to: hosts))) == [])
    }

    @Test func aCopyBesideTheSettledDomainIsDiscarded() throws {
        let (lab, hosts) = Self.interrupted(source: true, incoming: false, settledOn: "cpt76")
        let plan = try Planner.plan(lab: lab, observed: hosts)
        let git = plan.actions.filter { $0.domain == "git" }
        #expect(git.first?.host == "cpt18")
        #expect(git.first?.operations == [.discardMigrationCopy(domain: "git", role: .migratedAway)])
        #expect(git.contains { $0.kind == .removeStaleConfig && $0.host == "cpt18" })
        #expect(lines(try Planner.plan(lab: lab, observed: try applying(plan, to: hosts))) == [])
    }

    @Test func configurationLeftOnAnotherHostIsRemoved() throws {
        var hosts = Fixture.converged(Std.lab())
        let config = hosts[named: "cpt76"].config(named: "git")!
        hosts[named: "cpt18"].configs.append(config)
        let plan = try Planner.plan(lab: Std.lab(), observed: hosts)
        #expect(lines(plan) == ["remove-stale-config git@cpt18 none"])
        #expect(plan.actions[0].operations == [.removeConfig(name: "git")])
    }
}
