import HostModel
import Planner
import Testing
import XenplanBasics

@testable import XenplanCLI

/// Long actions say they are still running every ten seconds, with what they are busy with.
@Suite struct HeartbeatTests {
    static let image = ImageSource(name: "debian12", path: "/var/lib/xenplan/images/debian12.img", format: "raw")
    static let copy = PlannedAction(
        id: 1, kind: .createVolume, host: "cpt76", summary: "vg76/conf-web-root 8 GiB",
        reason: "", disruption: .none,
        operations: [.createVolumeFromImage(container: "vg76", name: "conf-web-root", size: .gib(8), image: image)])
    static let move = PlannedAction(
        id: 4, kind: .migrate, host: "cpt18", domain: "git", targetHost: "cpt76", summary: "",
        reason: "", disruption: .pause, operations: [.migrate(domain: "git", toHost: "cpt76"), .removeConfig(name: "git")])

    @Test func eachRunningActionIsDueEveryTenSecondsFromItsStart() {
        var beat = Heartbeat()
        beat.started(Self.copy, at: .seconds(0))
        beat.started(Self.move, at: .seconds(4))
        #expect(beat.due(at: .seconds(9)).isEmpty)
        #expect(beat.due(at: .seconds(10)).map { "\($0.action.id) \($0.elapsed)" } == ["1 10.0 seconds"])
        #expect(beat.due(at: .seconds(14)).map { "\($0.action.id) \($0.elapsed)" } == ["4 10.0 seconds"])
        #expect(beat.due(at: .seconds(15)).isEmpty)
        beat.ended(1)
        #expect(beat.due(at: .seconds(25)).map { "\($0.action.id) \($0.elapsed)" } == ["4 21.0 seconds"])
        beat.ended(4)
        #expect(beat.due(at: .seconds(60)).isEmpty)
    }

    /// A balloon wait's line says how much memory the guest still has to give back, as
    /// last seen, instead of only that it waits.
    @Test func aBalloonLineSaysWhatIsStillToGiveBack() {
        let balloon = PlannedAction(
            id: 3, kind: .setMemory, host: "cpt18", domain: "ldap", summary: "", reason: "",
            disruption: .live, operations: [.setMemory(domain: "ldap", target: .mib(256))], waitsForBalloon: true)
        var beat = Heartbeat()
        beat.started(balloon, at: .seconds(0))
        #expect(beat.due(at: .seconds(10)).map(\.activity) == ["waiting for ldap's balloon"])
        beat.learnt(3, Heartbeat.balloon(domain: "ldap", holds: .mib(868), target: .mib(256)))
        #expect(beat.due(at: .seconds(20)).map(\.activity) == ["ldap holds 868 MiB, 612 MiB still to give back (target 256 MiB)"])
        beat.learnt(99, "an action that is not running is ignored")
        #expect(beat.due(at: .seconds(30)).map(\.activity) == ["ldap holds 868 MiB, 612 MiB still to give back (target 256 MiB)"])
    }

    @Test func theLineSaysWhatTheActionIsBusyWith() {
        #expect(Heartbeat.activity(of: Self.copy) == "copying image debian12 into vg76/conf-web-root")
        #expect(Heartbeat.activity(of: Self.move) == "live migration of git to cpt76")
        let stop = PlannedAction(
            id: 2, kind: .stop, host: "cpt18", domain: "www", summary: "", reason: "", disruption: .restart,
            operations: [.shutdown(domain: "www", timeoutSeconds: 120)])
        #expect(Heartbeat.activity(of: stop) == "waiting for www to shut down (up to 120 s, then xl destroy)")
        let balloon = PlannedAction(
            id: 3, kind: .setMemory, host: "cpt18", domain: "ldap", summary: "", reason: "",
            disruption: .live, operations: [.setMemory(domain: "ldap", target: .mib(256))], waitsForBalloon: true)
        #expect(Heartbeat.activity(of: balloon) == "waiting for ldap's balloon")
    }

    @Test func savesBackupsAndRestoresSayWhatTheyCopy() {
        func action(_ operations: [HostOperation]) -> PlannedAction {
            PlannedAction(id: 5, kind: .backup, host: "cpt18", domain: "web", summary: "", reason: "", disruption: .pause, operations: operations)
        }
        #expect(
            Heartbeat.activity(of: action([.save(domain: "web", directory: "/var/lib/xenplan/save")]))
                == "saving web's memory to /var/lib/xenplan/save/web.save")
        #expect(
            Heartbeat.activity(
                of: action([.removeSave(domain: "web", directory: "/srv/backup", partial: true), .restore(domain: "web", directory: "/srv/backup/")]))
                == "restoring web from /srv/backup/web.save")
        let disk = BackupJob.Disk(vdev: "xvda", container: "vg18", volume: "web-root", size: .gib(8), poolKind: "lvm")
        var data = disk
        data.vdev = "xvdb"
        let job = BackupJob(
            domain: "web", directory: "/srv/backup", disks: [disk, data], pause: true, consistency: "pause", keep: 7, config: nil,
            xenplanVersion: "0.13.0")
        #expect(Heartbeat.activity(of: action([.backup(job)])) == "backing up web (2 disks) to /srv/backup")
        var one = job
        one.disks = [disk]
        #expect(Heartbeat.activity(of: action([.backup(one)])) == "backing up web (1 disk) to /srv/backup")
        let source = BackupSource(
            domain: "web", id: "20261202T013000Z", path: "/srv/backup/xenplan-backups/web/20261202T013000Z/xvda.img.zst", compressed: true,
            sha256: String(repeating: "0", count: 64))
        #expect(
            Heartbeat.activity(of: action([.restoreVolume(container: "vg18", name: "web-root", size: .gib(8), source: source, replace: false)]))
                == "restoring web-root from backup 20261202T013000Z")
    }

    /// A cold move says which volume it copies, from the step the executor reported on.
    @Test func aColdMoveSaysWhichVolumeItCopies() {
        let root = VolumeTransfer(
            domain: "db", container: "vga", name: "db-root", size: .gib(8), toHost: "b", toContainer: "vgb", toName: "db-root")
        var data = root
        data.name = "db-data"
        data.toName = "db-data"
        data.size = .gib(2)
        let move = PlannedAction(
            id: 3, kind: .move, host: "a", domain: "db", targetHost: "b", summary: "", reason: "", disruption: .restart,
            operations: [
                .receiveVolume(container: "vgb", name: "db-root", size: .gib(8)), .receiveVolume(container: "vgb", name: "db-data", size: .gib(2)),
                .shutdown(domain: "db", timeoutSeconds: 60), .sendVolume(root), .sendVolume(data),
                .commitVolume(container: "vgb", name: "db-root"), .commitVolume(container: "vgb", name: "db-data"), .removeConfig(name: "db"),
                .create(domain: "db"),
            ],
            operationHosts: ["b", "b", "a", "a", "a", "b", "b", "a", "b"])
        #expect(Heartbeat.activity(of: move) == "waiting for db to shut down (up to 60 s, then xl destroy)")
        #expect(Heartbeat.activity(of: move, step: 3) == "copying vga/db-root (8 GiB) to b over ssh (volume 1 of 2)")
        #expect(Heartbeat.activity(of: move, step: 4) == "copying vga/db-data (2 GiB) to b over ssh (volume 2 of 2)")
        #expect(Heartbeat.activity(of: move, step: 5) == "xl create db")
        var beat = Heartbeat()
        beat.started(move, at: .seconds(0))
        beat.performing(3, step: 4)
        #expect(
            beat.due(at: .seconds(10)).map { "\($0.action.id) \($0.activity)" } == ["3 copying vga/db-data (2 GiB) to b over ssh (volume 2 of 2)"])
    }
}
