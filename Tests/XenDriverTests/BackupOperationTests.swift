import CXen
import Foundation
import HostModel
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import XenDriver

/// `backup`: the exact tools in order for each pool kind, with and without zstd; the
/// record; the domain always unpaused, no snapshot and no partial directory left after a
/// failure; leftovers removed first; pruning to `keep`.
@Suite struct BackupOperationTests {
    static let digest = "3f2a6f5a0c1a9a8e7b1c3d5e7f90a1b2c3d4e5f60718293a4b5c6d7e8f901234"
    static let id = "20261202T013000Z"

    /// ldap's two logical volumes (san/ldap-root 10 GiB, san/ldap-swap 1 GiB), paused.
    static func lvmJob(pool: String, keep: Int = 3) -> BackupJob {
        BackupJob(
            domain: "ldap", directory: pool,
            disks: [
                .init(vdev: "xvda", container: "san", volume: "ldap-root", size: .gib(10), poolKind: "lvm"),
                .init(vdev: "xvdb", container: "san", volume: "ldap-swap", size: .gib(1), poolKind: "lvm"),
            ],
            pause: true, consistency: "pause", keep: keep, config: nil, xenplanVersion: "0.13.0")
    }

    static let lvs = ["lvs", "--reportformat", "json", "--units", "k", "--nosuffix", "-o", "lv_name,vg_name,lv_size,lv_tags", "san"]
    static let snapshots = [
        ["lvcreate", "-s", "-n", "ldap-root_snap", "-L", "2097152k", "san/ldap-root"],
        ["lvcreate", "-s", "-n", "ldap-swap_snap", "-L", "212992k", "san/ldap-swap"],
    ]

    func failure(_ operation: HostOperation, on h: DriverHarness) async -> HostError? {
        do {
            try await h.driver.perform(operation)
            return nil
        } catch {
            return error as? HostError
        }
    }

    func files(_ directory: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() }

    func host() throws -> DriverHarness {
        let h = try DriverHarness()
        h.runner.respond(to: ["sha256sum"], with: CommandResult(status: 0, stdout: "\(Self.digest)  -\n"))
        return h
    }

    @Test func logicalVolumesPausedSnapshottedCopiedAndRecorded() async throws {
        let h = try host()
        defer { h.cleanup() }
        let pool = h.paths.imageDirectories[0]
        let job = Self.lvmJob(pool: pool)
        try await h.driver.perform(.backup(job))
        let part = job.partialDirectory(id: Self.id)
        #expect(
            h.runner.commands == [
                Self.lvs,
                ["xl", "pause", "ldap"],
                Self.snapshots[0],
                Self.snapshots[1],
                ["xl", "unpause", "ldap"],
                ["sha256sum", "--", "/dev/san/ldap-root_snap"],
                ["cp", "--sparse=always", "--", "/dev/san/ldap-root_snap", part + "/xvda.img"],
                ["sha256sum", "--", "/dev/san/ldap-swap_snap"],
                ["cp", "--sparse=always", "--", "/dev/san/ldap-swap_snap", part + "/xvdb.img"],
                ["lvremove", "-f", "san/ldap-root_snap"],
                ["lvremove", "-f", "san/ldap-swap_snap"],
            ])
        #expect(
            h.runner.invocations.filter { ["sha256sum", "cp"].contains($0.argv[0]) }.allSatisfy { $0.timeout == DriverHarness.deadlines.copyImage })
        let backup = job.backupDirectory(id: Self.id)
        #expect(files(job.domainDirectory) == [Self.id])
        #expect(files(backup) == ["record.json", "xvda.img", "xvdb.img"])
        let record = try #require(XenDriver.readRecord(backup + "/record.json"))
        #expect(record.domain == "ldap" && record.id == Self.id && record.directory == pool && record.host == "cpt18")
        #expect(record.time == "2026-12-02T01:30:00Z" && record.consistency == "pause" && record.xenplanVersion == "0.13.0")
        #expect(record.disks.map(\.file) == ["xvda.img", "xvdb.img"])
        #expect(record.disks.map(\.sha256) == [Self.digest, Self.digest])
        #expect(record.disks.map(\.size) == [.gib(10), .gib(1)])
        #expect(record.disks.allSatisfy { !$0.compressed && $0.storedSize.kib > 0 })
        var st = stat()
        #expect(stat(backup + "/record.json", &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(stat(backup + "/xvda.img", &st) == 0 && st.st_mode & 0o777 == 0o600)
    }

    @Test func zstdCompressesWhenInstalled() async throws {
        let h = try host()
        defer { h.cleanup() }
        try h.installZstd()
        var job = Self.lvmJob(pool: h.paths.imageDirectories[0])
        job.pause = false
        job.consistency = "live"
        try await h.driver.perform(.backup(job))
        let part = job.partialDirectory(id: Self.id)
        #expect(
            h.runner.commands == [
                Self.lvs,
                Self.snapshots[0],
                Self.snapshots[1],
                ["sha256sum", "--", "/dev/san/ldap-root_snap"],
                ["zstd", "-q", "-f", "-T0", "/dev/san/ldap-root_snap", "-o", part + "/xvda.img.zst"],
                ["sha256sum", "--", "/dev/san/ldap-swap_snap"],
                ["zstd", "-q", "-f", "-T0", "/dev/san/ldap-swap_snap", "-o", part + "/xvdb.img.zst"],
                ["lvremove", "-f", "san/ldap-root_snap"],
                ["lvremove", "-f", "san/ldap-swap_snap"],
            ])
        let record = try #require(XenDriver.readRecord(job.backupDirectory(id: Self.id) + "/record.json"))
        #expect(record.disks.map(\.file) == ["xvda.img.zst", "xvdb.img.zst"])
        #expect(record.disks.allSatisfy { $0.compressed })
    }

    @Test func aZstdThatIsNotExecutableIsNotUsed() throws {
        let h = try host()
        defer { h.cleanup() }
        #expect(!h.driver.hasTool("zstd"))
        try h.installZstd()
        #expect(h.driver.hasTool("zstd"))
        let zstd = h.root.appendingPathComponent("bin/zstd").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: zstd)
        // root may execute any file with an x bit; with none, nobody may.
        #expect(!h.driver.hasTool("zstd"))
    }

    @Test func anImageFileIsSnapshottedByAReflinkCopy() async throws {
        let h = try host()
        defer { h.cleanup() }
        let pool = h.paths.imageDirectories[0]
        try Data(repeating: 0xAB, count: 4096).write(to: URL(fileURLWithPath: pool + "/web-root.img"))
        let job = BackupJob(
            domain: "web", directory: pool, disks: [.init(vdev: "xvda", container: pool, volume: "web-root", size: .gib(8), poolKind: "dir")],
            pause: true, consistency: "live", keep: 1, config: nil, xenplanVersion: "0.13.0")
        try await h.driver.perform(.backup(job))
        let part = job.partialDirectory(id: Self.id)
        #expect(
            h.runner.commands == [
                ["xl", "pause", "web"],
                ["cp", "--reflink=auto", "--sparse=always", "--", pool + "/web-root.img", pool + "/web-root_snap.img"],
                ["xl", "unpause", "web"],
                ["sha256sum", "--", pool + "/web-root_snap.img"],
                ["cp", "--sparse=always", "--", pool + "/web-root_snap.img", part + "/xvda.img"],
            ])
        #expect(files(pool) == ["web-root.img", "xenplan-backups"], "the snapshot is gone")
        #expect(FileManager.default.contents(atPath: job.backupDirectory(id: Self.id) + "/xvda.img") == Data(repeating: 0xAB, count: 4096))
    }

    @Test func aFailedCopyRemovesTheSnapshotsAndThePartialDirectory() async throws {
        let h = try host()
        defer { h.cleanup() }
        let job = Self.lvmJob(pool: h.paths.imageDirectories[0])
        let part = job.partialDirectory(id: Self.id)
        h.runner.respond(
            to: ["cp", "--sparse=always", "--", "/dev/san/ldap-swap_snap"],
            with: CommandResult(status: 1, stderr: "cp: error writing '\(part)/xvdb.img': No space left on device\n"))
        let error = await failure(.backup(job), on: h)
        #expect(
            error?.description
                == "host cpt18: backup of domain ldap failed: copy of xvdb: `cp --sparse=always -- /dev/san/ldap-swap_snap \(part)/xvdb.img` exited with status 1: cp: error writing '\(part)/xvdb.img': No space left on device"
        )
        #expect(
            h.runner.commands.suffix(3) == [
                ["cp", "--sparse=always", "--", "/dev/san/ldap-swap_snap", part + "/xvdb.img"],
                ["lvremove", "-f", "san/ldap-swap_snap"],
                ["lvremove", "-f", "san/ldap-root_snap"],
            ])
        #expect(h.runner.commands.filter { $0 == ["xl", "unpause", "ldap"] }.count == 1)
        #expect(files(job.domainDirectory).isEmpty, "no partial directory")
    }

    @Test func aFailedSnapshotUnpausesTheDomainAndRemovesTheOtherSnapshot() async throws {
        let h = try host()
        defer { h.cleanup() }
        let job = Self.lvmJob(pool: h.paths.imageDirectories[0])
        h.runner.respond(
            to: Self.snapshots[1],
            with: CommandResult(status: 5, stderr: "  Volume group \"san\" has insufficient free space (10 extents): 52 required.\n"))
        let error = await failure(.backup(job), on: h)
        #expect(
            error?.message
                == "snapshot of xvdb: `\(Self.snapshots[1].joined(separator: " "))` exited with status 5: Volume group \"san\" has insufficient free space (10 extents): 52 required."
        )
        #expect(
            h.runner.commands == [
                Self.lvs,
                ["xl", "pause", "ldap"],
                Self.snapshots[0],
                Self.snapshots[1],
                ["xl", "unpause", "ldap"],
                ["lvremove", "-f", "san/ldap-root_snap"],
            ])
        #expect(files(job.domainDirectory).isEmpty)
    }

    @Test func aFailedUnpauseIsReportedAndCleanedUp() async throws {
        let h = try host()
        defer { h.cleanup() }
        let job = Self.lvmJob(pool: h.paths.imageDirectories[0])
        h.runner.respond(to: ["xl", "unpause"], with: CommandResult(status: 1, stderr: "libxl: error: cannot unpause\n"))
        let error = await failure(.backup(job), on: h)
        #expect(error?.message == "unpause: `xl unpause ldap` exited with status 1: libxl: error: cannot unpause")
        #expect(
            h.runner.commands.suffix(4) == [
                ["xl", "unpause", "ldap"],
                ["xl", "unpause", "ldap"],
                ["lvremove", "-f", "san/ldap-swap_snap"],
                ["lvremove", "-f", "san/ldap-root_snap"],
            ])
    }

    @Test func leftoversOfAnInterruptedBackupGoFirst() async throws {
        let h = try host()
        defer { h.cleanup() }
        let job = Self.lvmJob(pool: h.paths.imageDirectories[0])
        let stale = job.domainDirectory + "/20261201T013000Z.partial"
        try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: true)
        try Data("half".utf8).write(to: URL(fileURLWithPath: stale + "/xvda.img"))
        h.runner.respond(
            to: ["lvs"],
            with: CommandResult(
                status: 0,
                stdout: """
                    {"report": [{"lv": [{"lv_name":"ldap-root", "vg_name":"san", "lv_size":"10485760.00", "lv_tags":"xenplan"},
                    {"lv_name":"ldap-root_snap", "vg_name":"san", "lv_size":"2097152.00", "lv_tags":""}]}]}
                    """))
        try await h.driver.perform(.backup(job))
        #expect(h.runner.commands.prefix(3) == [Self.lvs, ["lvremove", "-f", "san/ldap-root_snap"], ["xl", "pause", "ldap"]])
        #expect(files(job.domainDirectory) == [Self.id])
    }

    @Test func pruningKeepsTheNewestCompleteBackups() async throws {
        let h = try host()
        defer { h.cleanup() }
        let job = Self.lvmJob(pool: h.paths.imageDirectories[0], keep: 3)
        for name in ["20261129T013000Z", "20261130T013000Z", "20261201T013000Z", Self.id, "notes"] {
            try FileManager.default.createDirectory(atPath: job.domainDirectory + "/" + name, withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: job.domainDirectory + "/" + name + "/xvda.img"))
        }
        try await h.driver.perform(.backup(job))
        // This run's name took `-2`; a name the driver does not give is never touched.
        #expect(files(job.domainDirectory) == ["20261201T013000Z", Self.id, Self.id + "-2", "notes"])
    }

    @Test func aJobOutsideTheDriversPoolsIsRefused() async throws {
        let h = try host()
        defer { h.cleanup() }
        var job = Self.lvmJob(pool: "/srv/elsewhere")
        var error = await failure(.backup(job), on: h)
        #expect(error?.message == "'/srv/elsewhere' is not the directory of a dir pool of cpt18")
        job = Self.lvmJob(pool: h.paths.imageDirectories[0], keep: 0)
        error = await failure(.backup(job), on: h)
        #expect(error?.message == "keep is 1 to 1000, not 0")
        job = Self.lvmJob(pool: h.paths.imageDirectories[0])
        job.disks[1].vdev = "xvda"
        error = await failure(.backup(job), on: h)
        #expect(error?.message == "a device appears twice among the disks")
        #expect(h.runner.commands.isEmpty)
    }

    @Test func backupNamesFollowTheHostsUTCClock() {
        #expect(XenDriver.backupID(DriverHarness.now) == Self.id)
        #expect(XenDriver.recordTime(DriverHarness.now) == "2026-12-02T01:30:00Z")
        #expect(XenDriver.backupOrder(Self.id + "-10")! > XenDriver.backupOrder(Self.id + "-2")!)
        #expect(XenDriver.backupOrder(Self.id + "-2")! > XenDriver.backupOrder(Self.id)!)
        for other in ["notes", Self.id + ".partial", Self.id + "-1", Self.id + "-02", "2026120xT013000Z"] {
            #expect(XenDriver.backupOrder(other) == nil)
        }
    }
}
