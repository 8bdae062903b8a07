import Foundation
import HostModel
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import XenDriver

/// Save files and backup records as observation finds them, and the records it ignores:
/// a record is written by whoever can write the pool, so it is input like any other.
@Suite struct BackupObservationTests {
    static let digest = "3f2a6f5a0c1a9a8e7b1c3d5e7f90a1b2c3d4e5f60718293a4b5c6d7e8f901234"

    static func record(domain: String = "www", id: String = "20261202T013000Z", directory: String = "/elsewhere") -> BackupRecord {
        BackupRecord(
            domain: domain, id: id, directory: directory, host: "cpt18", time: "2026-12-02T01:30:00Z", consistency: "pause",
            config: nil,
            disks: [
                .init(
                    vdev: "xvda", container: "vg18", volume: "www-root", size: .gib(20), file: "xvda.img.zst", compressed: true,
                    sha256: digest, storedSize: .gib(3))
            ],
            xenplanVersion: "0.13.0")
    }

    func write(_ data: Data, _ path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path))
    }

    func json(_ record: BackupRecord) throws -> Data { try JSONEncoder().encode(record) }

    @Test func saveFilesOfTheSaveDirectoryAndThePools() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let pool = h.paths.imageDirectories[0]
        try write(Data(count: 5000), h.paths.saveDirectory + "/web.save")
        try write(Data(count: 10), pool + "/db.save.partial")
        try write(Data(count: 10), pool + "/Not_A_Domain.save")
        try write(Data(count: 10), pool + "/notes.txt")
        try FileManager.default.createDirectory(atPath: pool + "/dir.save", withIntermediateDirectories: true)
        let state = try await h.driver.observe()
        #expect(
            state.saves == [
                SaveState(directory: h.paths.saveDirectory, domain: "web", size: ByteSize(kib: 5)),
                SaveState(directory: pool, domain: "db", size: ByteSize(kib: 1), partial: true),
            ])
        #expect(state.save(of: "web")?.path == h.paths.saveDirectory + "/web.save")
        #expect(state.save(of: "db") == nil, "a partial file is never restored from")
    }

    @Test func completeBackupsWithTheirPoolDirectory() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let base = h.paths.imageDirectories[0] + "/xenplan-backups"
        try write(try json(Self.record()), base + "/www/20261202T013000Z/record.json")
        try write(try json(Self.record(id: "20261201T013000Z")), base + "/www/20261201T013000Z/record.json")
        // Unfinished: never listed.
        try write(try json(Self.record(id: "20261203T013000Z.partial")), base + "/www/20261203T013000Z.partial/record.json")
        let state = try await h.driver.observe()
        #expect(state.backups.map(\.id) == ["20261201T013000Z", "20261202T013000Z"])
        #expect(state.backups.allSatisfy { $0.directory == h.paths.imageDirectories[0] })
        var expected = Self.record()
        expected.directory = h.paths.imageDirectories[0]
        #expect(state.backups.last == expected)
    }

    @Test func hostileRecordsAreIgnored() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let base = h.paths.imageDirectories[0] + "/xenplan-backups"
        var tooLarge = try json(Self.record(id: "20261101T013000Z"))
        tooLarge.append(Data(repeating: 0x20, count: XenDriver.maxRecordBytes))
        var huge = Self.record(id: "20261105T013000Z")
        huge.disks[0].size = ByteSize(kib: 1 << 50)
        var badDigest = Self.record(id: "20261106T013000Z")
        badDigest.disks[0].sha256 = "../../etc/shadow"
        var badFile = Self.record(id: "20261107T013000Z")
        badFile.disks[0].file = "../../../etc/shadow"
        var control = Self.record(id: "20261108T013000Z")
        control.host = "cpt18\u{1b}[2J"
        for (id, data) in [
            ("20261101T013000Z", tooLarge),
            ("20261102T013000Z", try json(Self.record(domain: "ldap", id: "20261102T013000Z"))),
            ("20261103T013000Z", try json(Self.record(id: "20261203T000000Z"))),
            ("20261104T013000Z", Data("{\"format\":1,".utf8)),
            ("20261105T013000Z", try json(huge)),
            ("20261106T013000Z", try json(badDigest)),
            ("20261107T013000Z", try json(badFile)),
        ] {
            try write(data, base + "/www/" + id + "/record.json")
        }
        // A record naming its own directory's domain under a name that is no domain's.
        try write(try json(Self.record(domain: "WWW")), base + "/WWW/20261202T013000Z/record.json")
        // Text is escaped, not refused.
        try write(try json(control), base + "/www/20261108T013000Z/record.json")
        let state = try await h.driver.observe()
        #expect(state.backups.map(\.id) == ["20261108T013000Z"])
        #expect(state.backups.first?.host.contains("\u{1b}") == false)
    }
}
