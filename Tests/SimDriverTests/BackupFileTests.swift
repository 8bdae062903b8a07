import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

/// Save files, backups and volume contents in the host's file: kept across a write and a
/// read, and absent from (and not needed in) files of hosts that never had them.
@Suite struct BackupFileTests {
    @Test func savesBackupsAndContentsSurviveTheFile() async throws {
        let fx = SimFixture()
        let driver = try await BackupTests.host(fx)
        try await driver.perform(.backup(BackupTests.job()))
        try await driver.perform(.save(domain: "www", directory: SaveState.defaultDirectory))
        _ = try fx.xl().run(["write", "vg18/www-root"])
        let file = try driver.file()
        #expect(file.saves.count == 1)
        #expect(file.storage[BackupTests.pool]?.backups.count == 1)
        #expect(file.storage["vg18"]?.contents.count == 1)
        #expect(file.contentGeneration == 1)
        let data = try file.encoded()
        #expect(try SimHostFile.decode(data) == file)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"saves\"", "\"backups\"", "\"contents\"", "\"contentGeneration\""] { #expect(text.contains(key)) }
    }

    /// A host written before saves, backups and contents were modelled reads as having
    /// none, and is written back without the new keys.
    @Test func anOlderFileLoadsAndKeepsItsShape() async throws {
        let old = """
            {"format":1,"machine":{"memory":{"kib":33554432},"cpus":8,"xenVersion":"4.17.7"},
             "dom0":{"memory":{"kib":2097152},"vcpus":2},"domains":[],"nextDomid":1,"configs":[],
             "storage":{"vg18":{"type":"lvm","capacity":{"kib":104857600},"shared":false,
                                "volumes":{"www-root":{"kib":5242880}},"owned":["www-root"]}},
             "bridges":{},"latencies":{},"failures":{},"balloonRatePerSecond":{"kib":262144}}
            """
        let file = try SimHostFile.decode(Data(old.utf8))
        #expect(file.saves.isEmpty)
        #expect(file.contentGeneration == 0)
        #expect(file.storage["vg18"]?.backups == [])
        #expect(file.storage["vg18"]?.contents == [:])
        // Its volume holds the content of a volume nothing has written.
        #expect(file.content(container: "vg18", volume: "www-root")?.count == 64)
        let text = String(decoding: try file.encoded(), as: UTF8.self)
        for key in ["saves", "backups", "contents", "contentGeneration"] { #expect(!text.contains("\"\(key)\"")) }
        let state = file.hostState(name: "cpt18", at: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(state.saves.isEmpty)
        #expect(state.backups.isEmpty)
    }

    /// Writes change a volume's content; a copy of the same image into the same size
    /// gives the same content on any host.
    @Test func contentFollowsTheWrites() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await driver.perform(.createVolume(container: "vg18", name: "a", size: .gib(1)))
        let created = try driver.file().content(container: "vg18", volume: "a")
        try await driver.perform(.growVolume(container: "vg18", name: "a", size: .gib(2)))
        let grown = try driver.file().content(container: "vg18", volume: "a")
        #expect(created != grown)
        #expect(try driver.file().storage["vg18"]?.contents == [:])
        #expect(try fx.xl().run(["write", "vg18/a"]) == "volume vg18/a written")
        let written = try driver.file().content(container: "vg18", volume: "a")
        #expect(written != grown)
        try await driver.perform(.growVolume(container: "vg18", name: "a", size: .gib(3)))
        #expect(try driver.file().content(container: "vg18", volume: "a") != written)
        // Removed and made again: a fresh volume, whatever the old one held.
        try await driver.perform(.removeVolume(container: "vg18", name: "a"))
        try await driver.perform(.createVolume(container: "vg18", name: "a", size: .gib(1)))
        #expect(try driver.file().content(container: "vg18", volume: "a") == created)
        let error = await thrown { _ = try fx.xl().run(["write", "vg18/gone"]) }
        #expect(error == HostError(host: "cpt18", operation: "write", message: "Failed to find logical volume \"vg18/gone\""))

        try driver.setImage("/srv/images/x.raw", to: SimHostFile.Image(fileSize: .gib(1), sha256: String(repeating: "ab", count: 32)))
        let image = ImageSource(name: "x", path: "/srv/images/x.raw", format: "raw")
        try await driver.perform(.createVolumeFromImage(container: "vg18", name: "b", size: .gib(4), image: image))
        try await driver.perform(.createVolumeFromImage(container: "san", name: "c", size: .gib(4), image: image))
        let file = try driver.file()
        #expect(file.content(container: "vg18", volume: "b") == file.content(container: "san", volume: "c"))
        try await driver.perform(.removeVolume(container: "vg18", name: "b"))
        #expect(try driver.file().storage["vg18"]?.contents["b"] == nil)
        #expect(try driver.file().content(container: "vg18", volume: "b") == nil)
    }
}
