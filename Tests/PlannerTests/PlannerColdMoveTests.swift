import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// A guest whose disks are on storage the other host does not reach moves there cold
/// when it may restart: shut down, its volumes copied dom0 to dom0 and checked, started
/// there. Its old volumes stay behind as orphans until --allow-data-loss.
@Suite struct PlannerColdMoveTests {
    /// web on cpt18's local pool, as the hosts have it.
    static let before = Std.lab([
        Fixture.domain("web", on: "cpt18", memory: 512, maxmem: 1024, disks: [Fixture.disk("root", size: 4096, pool: "cpt18-local")])
    ])

    /// web declared on cpt76, its disk on cpt76's local pool (`size` MiB).
    static func moved(restart: RestartPolicy = .allowed, size: Int64 = 4096) -> Lab {
        Std.lab([
            Fixture.domain(
                "web", on: "cpt76", memory: 512, maxmem: 1024, disks: [Fixture.disk("root", size: size, pool: "cpt76-local")],
                restart: restart)
        ])
    }

    static let web = VolumeTransfer(
        domain: "web", container: "vg18", name: "web-root", size: .gib(4), toHost: "cpt76", toContainer: "vg76", toName: "web-root")

    static func hosts(_ plan: Plan) -> [String] { plan.actions.flatMap { $0.steps.map { "\($0.host) \($0.operation.kind)" } } }

    /// Where `web` is on each host: `cpt76 running`.
    static func copies(_ hosts: [HostState]) -> [String] {
        hosts.flatMap { h in h.domains.filter { $0.name == "web" }.map { "\(h.name) \($0.state.rawValue)" } }
    }

    @Test func aGuestOnLocalStorageMovesColdWhenItMayRestart() throws {
        let observed = Fixture.converged(Self.before)
        let plan = try Planner.plan(lab: Self.moved(), observed: observed)
        #expect(lines(plan) == ["move web@cpt18→cpt76 restart"])
        let move = try #require(plan.actions.first)
        #expect(move.summary == "cpt18 → cpt76, cold: shut down, copy 1 volume (4 GiB) over ssh, start on cpt76")
        #expect(
            move.reason
                == "declared on cpt76, runs on cpt18; pool cpt18-local is not reached by cpt76 (restart: allowed); the old volumes are kept on cpt18")
        #expect(
            Self.hosts(plan) == [
                "cpt76 receive-volume", "cpt18 shutdown", "cpt18 send-volume", "cpt76 commit-volume", "cpt18 remove-config",
                "cpt76 write-config", "cpt76 create",
            ])
        #expect(move.operations[0] == .receiveVolume(container: "vg76", name: "web-root", size: .gib(4)))
        #expect(move.operations[2] == .sendVolume(Self.web))
        #expect(move.operations[3] == .commitVolume(container: "vg76", name: "web-root"))
        guard case let .writeConfig(config) = move.operations[5] else { Issue.record("no configuration written"); return }
        #expect(config.disks == [DomainConfig.Disk(vdev: "xvda", target: "/dev/vg76/web-root", readOnly: false)])
        #expect(
            plan.notices == [
                Notice(
                    kind: .orphanVolume, host: "cpt18", domain: "web",
                    message:
                        "volume vg18/web-root (4 GiB) is no longer used by any declared disk (was disk xvda of web, copied to cpt76): kept; --allow-data-loss removes it"
                )
            ])
        // The target's room is taken for the whole move, the source's given back after it.
        #expect(plan.hosts.first { $0.host == "cpt76" }.map { $0.memoryAfter > $0.memoryBefore } == true)

        let after = try applying(plan, to: observed)
        #expect(Self.copies(after) == ["cpt76 running"])
        #expect(after.first { $0.name == "cpt76" }?.volume(container: "vg76", name: "web-root")?.owned == true)
        let again = try Planner.plan(lab: Self.moved(), observed: after)
        #expect(again.actions.isEmpty)
        #expect(
            again.notices.map(\.message) == [
                "volume vg18/web-root (4 GiB) is no longer used by any declared disk (created by xenplan): kept; --allow-data-loss removes it"
            ])
    }

    @Test func withoutRestartTheMoveIsBlockedSayingWhatAllowsIt() throws {
        let plan = try Planner.plan(lab: Self.moved(restart: .never), observed: Fixture.converged(Self.before))
        #expect(plan.actions.isEmpty)
        #expect(
            plan.notices == [
                Notice(
                    kind: .migrationBlocked, host: "cpt18", domain: "web",
                    message:
                        "web is declared on cpt76 but runs on cpt18 and cannot move live: disk xvda is on pool cpt18-local, which is not shared; "
                        + "it stays on cpt18: a cold move (shut down, copy its volumes to cpt76, start there) needs restart: allowed or --allow-restart"
                )
            ])
        let allowed = try Planner.plan(
            lab: Self.moved(restart: .never), observed: Fixture.converged(Self.before), options: PlanOptions(allowRestart: true))
        #expect(lines(allowed) == ["move web@cpt18→cpt76 restart"])
        #expect(allowed.actions.first?.reason.contains("(--allow-restart)") == true)
    }

    @Test func theOldVolumesGoOnlyWithAllowDataLossAndAfterTheMove() throws {
        let plan = try Planner.plan(
            lab: Self.moved(), observed: Fixture.converged(Self.before), options: PlanOptions(allowDataLoss: true))
        #expect(lines(plan) == ["move web@cpt18→cpt76 restart", "remove-volume vg18/web-root 4 GiB@cpt18 data-loss ←0"])
    }

    @Test func aLeftoverPartialVolumeIsRemovedBeforeTheCopy() throws {
        var observed = Fixture.converged(Self.before)
        let i = observed.firstIndex { $0.name == "cpt76" }!
        observed[i].volumes.append(VolumeState(container: "vg76", name: "web-root_partial", size: .gib(4)))
        let plan = try Planner.plan(lab: Self.moved(), observed: observed)
        #expect(lines(plan) == ["remove-volume vg76/web-root_partial 4 GiB, a leftover@cpt76 none", "move web@cpt18→cpt76 restart ←0"])
        // Also when the guest stays: a leftover is nobody's data.
        let stays = try Planner.plan(lab: Self.before, observed: observed)
        #expect(lines(stays) == ["remove-volume vg76/web-root_partial 4 GiB, a leftover@cpt76 none"])
    }

    @Test func aLargerDeclaredDiskIsCopiedAtItsSizeAndGrownOnceTheGuestRuns() throws {
        let plan = try Planner.plan(lab: Self.moved(size: 8192), observed: Fixture.converged(Self.before))
        let move = try #require(plan.actions.first)
        #expect(move.operations.first == .receiveVolume(container: "vg76", name: "web-root", size: .gib(4)))
        #expect(
            move.steps.last.map { "\($0.host) \($0.operation)" }
                == "cpt76 \(HostOperation.growVolume(container: "vg76", name: "web-root", size: .gib(8)))")
    }

    @Test func aSmallerDeclaredDiskOrAnotherVolumeInTheWayBlocksIt() throws {
        let smaller = try Planner.plan(lab: Self.moved(size: 2048), observed: Fixture.converged(Self.before))
        #expect(smaller.actions.isEmpty)
        #expect(
            smaller.notices.first?.message
                == "web is declared on cpt76 but runs on cpt18 and cannot move live: disk xvda is on pool cpt18-local, which is not shared; "
                + "nor cold: disk xvda is 4 GiB on cpt18 but declared 2 GiB: volumes are never shrunk; it stays on cpt18")
        var observed = Fixture.converged(Self.before)
        let i = observed.firstIndex { $0.name == "cpt76" }!
        observed[i].volumes.append(VolumeState(container: "vg76", name: "web-root", size: .gib(1), owned: true))
        let inTheWay = try Planner.plan(lab: Self.moved(), observed: observed)
        #expect(inTheWay.actions.isEmpty)
        #expect(
            inTheWay.notices.first?.message
                == "web is declared on cpt76 but runs on cpt18 and cannot move live: disk xvda is on pool cpt18-local, which is not shared; "
                + "nor cold: volume vg76/web-root already exists on cpt76 (1 GiB, 4 GiB on cpt18): a copy never writes over a volume; "
                + "remove it for the move to go ahead; it stays on cpt18")
    }

    @Test func aMoveNeedsRoomOnTheTarget() throws {
        let small = [Fixture.hostSpec("cpt18"), Fixture.hostSpec("cpt76", memory: .gib(2), dom0: .mib(1800))]
        let before = Std.lab(Self.before.domains, hosts: small)
        let after = Std.lab(Self.moved().domains, hosts: small)
        #expect(throws: PlanRefusal.self) { try Planner.plan(lab: after, observed: Fixture.converged(before)) }
    }

    /// However far an apply got, a plan made then explains the hosts (a leftover partial
    /// volume, a guest shut down, a copy already named) and finishes the move: never two
    /// copies of the guest, its copy checked, the old volume kept.
    @Test(arguments: 0...7) func anInterruptedMoveIsFinishedByTheNextPlan(_ done: Int) throws {
        let observed = Fixture.converged(Self.before)
        let move = try #require(try Planner.plan(lab: Self.moved(), observed: observed).actions.first)
        #expect(move.operations.count == 7)
        var hosts = observed
        for (host, op) in move.steps.prefix(done) { try OperationReplayer.apply(op, on: host, to: &hosts) }
        #expect(Self.copies(hosts).count <= 1)
        let next = try Planner.plan(lab: Self.moved(), observed: hosts)
        if done >= 2 { #expect(!next.actions.flatMap(\.operations).contains(.shutdown(domain: "web", timeoutSeconds: 120))) }
        if done == 4 {
            #expect(lines(next) == ["move web@cpt18→cpt76 restart"])
            #expect(next.actions.first?.summary == "cpt18 → cpt76, cold: check 1 volume copied earlier, start on cpt76")
            #expect(
                next.actions.first?.operations.first
                    == .sendVolume(
                        VolumeTransfer(
                            domain: "web", container: "vg18", name: "web-root", size: .gib(4), toHost: "cpt76", toContainer: "vg76",
                            toName: "web-root",
                            alreadyCopied: true)))
        }
        let finished = try applying(next, to: hosts)
        #expect(Self.copies(finished) == ["cpt76 running"])
        #expect(try Planner.plan(lab: Self.moved(), observed: finished).actions.isEmpty)
        #expect(finished.first { $0.name == "cpt18" }?.volume(container: "vg18", name: "web-root") != nil)
        #expect(finished.first { $0.name == "cpt76" }?.volumes.map(\.name) == ["web-root"])
    }

    @Test func aGuestThatIsOnlyAConfigurationMovesWithoutAShutdown() throws {
        var observed = Fixture.converged(Self.before)
        let i = observed.firstIndex { $0.name == "cpt18" }!
        observed[i].domains.removeAll { $0.name == "web" }
        observed[i].recomputeFreeMemory()
        let plan = try Planner.plan(lab: Self.moved(), observed: observed)
        #expect(lines(plan) == ["move web@cpt18→cpt76 restart"])
        #expect(plan.actions.first?.summary == "cpt18 → cpt76, cold: copy 1 volume (4 GiB) over ssh, start on cpt76")
        #expect(!Self.hosts(plan).contains("cpt18 shutdown"))
    }
}
