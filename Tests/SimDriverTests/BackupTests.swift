import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

/// A backup as the host makes it: snapshots whose room comes from the volume group, the
/// guest paused around them, a record of what the volumes held, pruning, and nothing
/// left behind when it fails.
@Suite struct BackupTests {
    static let pool = "/srv/backup"
    /// The fixture clock's start, 2023-11-14 22:13:20 UTC.
    static let id = "20231114T221320Z"
    static let www = SimFixture.config("www", disks: [.init(vdev: "xvda", target: "/dev/vg18/www-root")])
    static let root = BackupJob.Disk(vdev: "xvda", container: "vg18", volume: "www-root", size: .gib(10), poolKind: "lvm")

    static func job(keep: Int = 3, pause: Bool = true, disks: [BackupJob.Disk] = [root], domain: String = "www") -> BackupJob {
        BackupJob(
            domain: domain, directory: pool, disks: disks, pause: pause, consistency: pause ? "pause" : "live", keep: keep,
            config: www, xenplanVersion: "0.13.0")
    }

    /// cpt18: vg18 of `vgSize`, the backup pool /srv/backup of `poolSize` (shared), www
    /// running on its 10 GiB root.
    static func host(
        _ fx: SimFixture, _ name: String = "cpt18", vgSize: ByteSize = .gib(100), poolSize: ByteSize = .gib(50),
        speed: Double = 0
    ) async throws -> SimDriver {
        let driver = SimDriver(stateDirectory: fx.directory, host: name, machine: SimFixture.machine, clock: fx.clock, speed: speed)
        try fx.prepare(driver)
        try driver.edit {
            $0.storage["vg18"]?.capacity = vgSize
            $0.storage[pool] = SimHostFile.Container(type: .dir, capacity: poolSize, shared: true)
        }
        try await driver.perform(.createVolume(container: "vg18", name: "www-root", size: .gib(10)))
        try await fx.start(driver, www)
        return driver
    }

    /// The record a backup of `www-root` holding `sha256` makes.
    static func record(id: String = id, time: String = "2023-11-14T22:13:20Z", sha256: String) -> BackupRecord {
        BackupRecord(
            domain: "www", id: id, directory: pool, host: "cpt18", time: time, consistency: "pause", config: www,
            disks: [
                BackupRecord.Disk(
                    vdev: "xvda", container: "vg18", volume: "www-root", size: .gib(10), file: "xvda.img.zst",
                    compressed: true, sha256: sha256, storedSize: .gib(5))
            ], xenplanVersion: "0.13.0")
    }

    @Test func backupRecordsTheVolumeAndLeavesNoSnapshot() async throws {
        let fx = SimFixture()
        let driver = try await Self.host(fx)
        let content = try #require(try driver.file().content(container: "vg18", volume: "www-root"))
        try await driver.perform(.backup(Self.job()))
        let state = try await driver.observe()
        #expect(state.backups == [Self.record(sha256: content)])
        #expect(state.backups[0].backupDirectory == "/srv/backup/xenplan-backups/www/20231114T221320Z")
        #expect(state.volumes.map(\.name) == ["www-root"])
        #expect(state.domain(named: "www")?.state == .running)
        let file = try driver.file()
        #expect(file.freeSpace(in: "vg18") == .gib(90))
        // zstd halves a simulated disk: 5 GiB of the pool's 50.
        #expect(file.freeSpace(in: Self.pool) == .gib(45))
    }

    /// The id comes from the host's clock; one taken in the same second gets `-2`, `-3`;
    /// beyond `keep` the oldest go.
    @Test func idsFollowTheClockAndOldBackupsArePruned() async throws {
        let fx = SimFixture()
        let driver = try await Self.host(fx)
        for _ in 0..<3 { try await driver.perform(.backup(Self.job(keep: 2))) }
        #expect(try await driver.observe().backups.map(\.id) == ["\(Self.id)-2", "\(Self.id)-3"])
        fx.clock.advance(by: 3600)
        try await driver.perform(.backup(Self.job(keep: 2)))
        let state = try await driver.observe()
        #expect(state.backups.map(\.id) == ["\(Self.id)-3", "20231114T231320Z"])
        #expect(state.backups.last?.time == "2023-11-14T23:13:20Z")
        #expect(try driver.file().freeSpace(in: Self.pool) == .gib(40))
    }

    /// The snapshot takes a fifth of the volume from the group while the guest is
    /// paused; an interrupted backup unpauses it but leaves the snapshot, which the next
    /// backup removes before taking its own.
    @Test func snapshotRoomPauseAndALeftover() async throws {
        let fx = SimFixture()
        let driver = try await Self.host(fx, speed: 1)
        _ = try fx.xl().run(["set-latency", "backup", "3600"])
        let task = Task { try await driver.perform(.backup(Self.job())) }
        var waited = 0
        while try driver.file().domains.first?.state != .paused, waited < 5000 {
            try await Task.sleep(nanoseconds: 1_000_000)
            waited += 1
        }
        let during = try await driver.observe()
        #expect(during.domain(named: "www")?.state == .paused)
        #expect(during.volume(container: "vg18", name: "www-root_snap") == VolumeState(container: "vg18", name: "www-root_snap", size: .gib(2)))
        #expect(try driver.file().freeSpace(in: "vg18") == .gib(88))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }

        let after = try await driver.observe()
        #expect(after.domain(named: "www")?.state == .running)
        #expect(after.volumes.map(\.name) == ["www-root", "www-root_snap"])
        #expect(after.backups.isEmpty)

        _ = try fx.xl().run(["set-latency", "backup", "0"])
        let instant = SimDriver(stateDirectory: fx.directory, host: "cpt18", clock: fx.clock, speed: 0)
        try await instant.perform(.backup(Self.job()))
        let state = try await instant.observe()
        #expect(state.volumes.map(\.name) == ["www-root"])
        #expect(state.backups.map(\.id) == [Self.id])
        #expect(try instant.file().freeSpace(in: "vg18") == .gib(90))
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var label: String
        var vgSize: ByteSize = .gib(100)
        var poolSize: ByteSize = .gib(50)
        var job: BackupJob
        var message: String
        var testDescription: String { label }
    }

    @Test(arguments: [
        Refusal(
            label: "no room for the snapshot", vgSize: .gib(11), job: job(),
            message: "Volume group \"vg18\" has insufficient free space (256 extents): 512 required."),
        Refusal(
            label: "no room in the pool for the copy", poolSize: .gib(4), job: job(),
            message: "/srv/backup/xenplan-backups/www/20231114T221320Z.partial/xvda.img.zst: No space left on device"),
        Refusal(
            label: "a volume that is not there",
            job: job(disks: [BackupJob.Disk(vdev: "xvdb", container: "vg18", volume: "gone", size: .gib(1), poolKind: "lvm")]),
            message: "Failed to find logical volume \"vg18/gone\""),
        Refusal(
            label: "a pool the host does not have",
            job: BackupJob(
                domain: "www", directory: "/srv/none", disks: [root], pause: true, consistency: "pause", keep: 1, config: nil,
                xenplanVersion: "0.13.0"),
            message: "/srv/none: No such file or directory"),
        Refusal(
            label: "pausing a domain that does not run", job: job(domain: "db"),
            message: "db is an invalid domain identifier (rc=-6)"),
    ])
    func refusedWithoutATrace(_ c: Refusal) async throws {
        let fx = SimFixture()
        let driver = try await Self.host(fx, vgSize: c.vgSize, poolSize: c.poolSize)
        let before = try driver.file()
        let error = await thrown { try await driver.perform(.backup(c.job)) }
        #expect(error == HostError(host: "cpt18", operation: "backup", domain: c.job.domain, message: c.message))
        // No snapshot, no record, the guest running: the file as it was.
        #expect(try driver.file() == before)
    }

    @Test func aFaultLeavesNoSnapshotNoRecordAndTheGuestRunning() async throws {
        let fx = SimFixture()
        let driver = try await Self.host(fx)
        try driver.fail("backup")
        let before = try driver.file()
        let error = await thrown { try await driver.perform(.backup(Self.job())) }
        #expect(error == HostError(host: "cpt18", operation: "backup", domain: "www", message: "simulated failure of backup"))
        var expected = before
        expected.failures = [:]
        #expect(try driver.file() == expected)
        let state = try await driver.observe()
        #expect(state.backups.isEmpty)
        #expect(state.volumes.map(\.name) == ["www-root"])
        #expect(state.domain(named: "www")?.state == .running)
    }

    /// A `dir` pool's disk is snapshotted by copying its file: the whole size, from the
    /// pool's own room.
    @Test func aDirPoolDiskIsCopiedWhole() async throws {
        let fx = SimFixture()
        let driver = try await Self.host(fx)
        try driver.edit { $0.storage["/srv/pool"] = SimHostFile.Container(type: .dir, capacity: .mib(1500)) }
        try await driver.perform(.createVolume(container: "/srv/pool", name: "www-data", size: .gib(1)))
        let data = BackupJob.Disk(vdev: "xvdb", container: "/srv/pool", volume: "www-data", size: .gib(1), poolKind: "dir")
        let error = await thrown { try await driver.perform(.backup(Self.job(disks: [Self.root, data]))) }
        #expect(error?.message == "/srv/pool/www-data_snap.img: No space left on device")
        try driver.edit { $0.storage["/srv/pool"]?.capacity = .gib(2) }
        try await driver.perform(.backup(Self.job(disks: [Self.root, data])))
        let disks = try await driver.observe().backups.first?.disks
        #expect(disks?.map(\.file) == ["xvda.img.zst", "xvdb.img.zst"])
        #expect(disks?.last?.sha256 == (try driver.file().content(container: "/srv/pool", volume: "www-data")))
        #expect(disks?.last?.storedSize == .mib(512))
        #expect(try driver.file().freeSpace(in: "/srv/pool") == .gib(1))
    }

    /// A stopped guest's backup pauses nothing; a live one neither.
    @Test func withoutPauseTheGuestIsNotTouched() async throws {
        let fx = SimFixture()
        let driver = try await Self.host(fx)
        try await driver.perform(.destroy(domain: "www"))
        try await driver.perform(.backup(Self.job(pause: false)))
        #expect(try await driver.observe().backups.map(\.consistency) == ["live"])
    }

    /// A backup in a shared pool is listed by every host sharing the pool.
    @Test func aSharedPoolListsTheBackupEverywhere() async throws {
        let fx = SimFixture()
        let other = fx.driver("cpt76")
        try fx.prepare(other, localVG: "vg76")
        try other.edit { $0.storage[Self.pool] = SimHostFile.Container(type: .dir, capacity: .gib(50), shared: true) }
        let driver = try await Self.host(fx)
        try await driver.perform(.backup(Self.job()))
        let seen = try await other.observe().backups
        #expect(seen.map(\.id) == [Self.id])
        #expect(seen.map(\.host) == ["cpt18"])
        #expect(try other.file().freeSpace(in: Self.pool) == .gib(45))
    }

    /// The guest stays paused for the `backup` latency; the copy takes the disks at 200 MiB/s.
    @Test func durationFollowsTheDisks() async throws {
        let fx = SimFixture()
        let driver = try await Self.host(fx)
        _ = try fx.xl().run(["set-latency", "backup", "2"])
        let seconds = try driver.file().backupSeconds(Self.job())
        #expect(seconds.pause == 2)
        #expect(seconds.copy == 51.2)
    }
}
