import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

/// A volume filled from a backup: complete and tagged, holding what was backed up (its
/// content digest is the recorded one), an old volume replaced only at the end.
@Suite struct RestoreVolumeTests {
    /// cpt18 as BackupTests has it, with one backup of www-root taken.
    func backedUp(_ fx: SimFixture, vgSize: ByteSize = .gib(100)) async throws -> (SimDriver, BackupSource) {
        let driver = try await BackupTests.host(fx, vgSize: vgSize)
        try await driver.perform(.backup(BackupTests.job()))
        let record = try #require(try await driver.observe().backups.first)
        let disk = record.disks[0]
        return (
            driver,
            BackupSource(domain: "www", id: record.id, path: record.path(of: disk), compressed: disk.compressed, sha256: disk.sha256)
        )
    }

    @Test func intoANewVolume() async throws {
        let fx = SimFixture()
        let (driver, source) = try await backedUp(fx)
        #expect(source.path == "/srv/backup/xenplan-backups/www/20231114T221320Z/xvda.img.zst")
        let original = try driver.file().content(container: "vg18", volume: "www-root")
        #expect(source.sha256 == original)
        _ = try fx.xl().run(["write", "vg18/www-root"])
        #expect(try driver.file().content(container: "vg18", volume: "www-root") != original)

        try await driver.perform(
            .restoreVolume(container: "vg18", name: "www-root-1", size: .gib(10), source: source, replace: false))
        let state = try await driver.observe()
        #expect(
            state.volume(container: "vg18", name: "www-root-1") == VolumeState(container: "vg18", name: "www-root-1", size: .gib(10), owned: true))
        #expect(try driver.file().content(container: "vg18", volume: "www-root-1") == source.sha256)
        #expect(state.volumes.map(\.name) == ["www-root", "www-root-1"])
    }

    /// Over the current volume: refused while the guest uses it (the old volume as it
    /// was); once the guest is stopped the volume holds the backup's content again.
    @Test func replacingTheCurrentVolume() async throws {
        let fx = SimFixture()
        let (driver, source) = try await backedUp(fx)
        _ = try fx.xl().run(["write", "vg18/www-root"])
        let written = try driver.file().content(container: "vg18", volume: "www-root")
        let operation = HostOperation.restoreVolume(container: "vg18", name: "www-root", size: .gib(10), source: source, replace: true)
        let before = try driver.file()
        let error = await thrown { try await driver.perform(operation) }
        #expect(error == HostError(host: "cpt18", operation: "restore-volume", domain: "www", message: "Logical volume vg18/www-root in use."))
        #expect(try driver.file() == before)

        try await driver.perform(.destroy(domain: "www"))
        try await driver.perform(operation)
        let file = try driver.file()
        #expect(file.content(container: "vg18", volume: "www-root") == source.sha256)
        #expect(file.content(container: "vg18", volume: "www-root") != written)
        #expect(file.storage["vg18"]?.volumes == ["www-root": .gib(10)])
        #expect(file.storage["vg18"]?.owned == ["www-root"])
        #expect(file.freeSpace(in: "vg18") == .gib(90))
    }

    /// In a shared volume group a guest of another host holds the volume too: replacing
    /// it is refused, as removing it would be.
    @Test func aVolumeInUseOnAnotherHostIsNotReplaced() async throws {
        let fx = SimFixture()
        let cpt76 = fx.driver("cpt76")
        try fx.prepare(cpt76, localVG: "vg76")
        let cpt18 = try await BackupTests.host(fx)
        try await cpt18.perform(.createVolume(container: "san", name: "db-root", size: .gib(1)))
        try await fx.start(cpt76, SimFixture.config("db", disks: [.init(vdev: "xvda", target: "/dev/san/db-root")]))
        let disk = BackupJob.Disk(vdev: "xvda", container: "san", volume: "db-root", size: .gib(1), poolKind: "lvm")
        try await cpt18.perform(
            .backup(
                BackupJob(
                    domain: "db", directory: BackupTests.pool, disks: [disk], pause: false, consistency: "live", keep: 1,
                    config: nil, xenplanVersion: "0.13.0")))
        let record = try #require(try await cpt18.observe().backups.first { $0.domain == "db" })
        let source = BackupSource(
            domain: "db", id: record.id, path: record.path(of: record.disks[0]), compressed: true, sha256: record.disks[0].sha256)
        let error = await thrown {
            try await cpt18.perform(.restoreVolume(container: "san", name: "db-root", size: .gib(1), source: source, replace: true))
        }
        #expect(error == HostError(host: "cpt18", operation: "restore-volume", domain: "db", message: "Logical volume san/db-root in use."))
        // Into a new volume it is restored, and every host sharing the group sees it.
        try await cpt18.perform(.restoreVolume(container: "san", name: "db-root-1", size: .gib(1), source: source, replace: false))
        #expect(try cpt76.file().content(container: "san", volume: "db-root-1") == source.sha256)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var label: String
        var vgSize: ByteSize = .gib(100)
        var operation: @Sendable (BackupSource) -> HostOperation
        var message: String
        var testDescription: String { label }
    }

    @Test(arguments: [
        Refusal(
            label: "an existing volume without replace",
            operation: { .restoreVolume(container: "vg18", name: "www-root", size: .gib(10), source: $0, replace: false) },
            message: "Logical Volume \"www-root\" already exists in volume group \"vg18\""),
        Refusal(
            label: "no room beside the volume it replaces", vgSize: .gib(19),
            operation: { .restoreVolume(container: "vg18", name: "www-root", size: .gib(10), source: $0, replace: true) },
            message: "Volume group \"vg18\" has insufficient free space (2304 extents): 2560 required."),
        Refusal(
            label: "a volume smaller than the backup",
            operation: { .restoreVolume(container: "vg18", name: "small", size: .gib(8), source: $0, replace: false) },
            message: "/dev/vg18/small_partial: No space left on device"),
        Refusal(
            label: "a copy that is not there",
            operation: { source in
                var gone = source
                gone.path = "/srv/backup/xenplan-backups/www/20200101T000000Z/xvda.img.zst"
                return .restoreVolume(container: "vg18", name: "www-root-1", size: .gib(10), source: gone, replace: false)
            },
            message: "/srv/backup/xenplan-backups/www/20200101T000000Z/xvda.img.zst: No such file or directory"),
        Refusal(
            label: "content other than recorded",
            operation: { source in
                var other = source
                other.sha256 = String(repeating: "0", count: 64)
                return .restoreVolume(container: "vg18", name: "www-root-1", size: .gib(10), source: other, replace: false)
            },
            message: "backup 20231114T221320Z of www (/srv/backup/xenplan-backups/www/20231114T221320Z/xvda.img.zst) "
                + "restored into /dev/vg18/www-root-1_partial has sha256 %SHA%, expected \(String(repeating: "0", count: 64))"),
        Refusal(
            label: "no such volume group",
            operation: { .restoreVolume(container: "vg99", name: "www-root", size: .gib(10), source: $0, replace: false) },
            message: "Volume group \"vg99\" not found"),
    ])
    func refusedWithoutATrace(_ c: Refusal) async throws {
        let fx = SimFixture()
        let (driver, source) = try await backedUp(fx, vgSize: c.vgSize)
        let before = try driver.file()
        let error = await thrown { try await driver.perform(c.operation(source)) }
        let message = c.message.replacingOccurrences(of: "%SHA%", with: source.sha256)
        #expect(error == HostError(host: "cpt18", operation: "restore-volume", domain: "www", message: message))
        #expect(try driver.file() == before)
    }

    @Test func aFaultLeavesTheOldVolumeAndNoPartial() async throws {
        let fx = SimFixture()
        let (driver, source) = try await backedUp(fx)
        try await driver.perform(.destroy(domain: "www"))
        _ = try fx.xl().run(["write", "vg18/www-root"])
        try driver.fail("restore-volume")
        let before = try driver.file()
        let operation = HostOperation.restoreVolume(container: "vg18", name: "www-root", size: .gib(10), source: source, replace: true)
        let error = await thrown { try await driver.perform(operation) }
        #expect(error == HostError(host: "cpt18", operation: "restore-volume", domain: "www", message: "simulated failure of restore-volume"))
        var expected = before
        expected.failures = [:]
        #expect(try driver.file() == expected)
        #expect(try await driver.observe().volumes.map(\.name) == ["www-root"])
    }

    /// The whole volume is written at 200 MiB/s, plus the latency.
    @Test func durationFollowsTheVolume() async throws {
        let fx = SimFixture()
        let (driver, source) = try await backedUp(fx)
        _ = try fx.xl().run(["set-latency", "restore-volume", "1"])
        #expect(try driver.file().restoreVolumeSeconds(source) == 52.2)
        var gone = source
        gone.path = "/srv/backup/elsewhere.img"
        #expect(try driver.file().restoreVolumeSeconds(gone) == 1)
    }
}
