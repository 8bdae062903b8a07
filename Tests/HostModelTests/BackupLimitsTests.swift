import HostModel
import Testing
import XenplanBasics

/// Save files and backup records a host reports pass the same bounds as the rest of its
/// state: an agent's answer, or a state file, is input.
@Suite struct BackupLimitsTests {
    static func state(saves: [SaveState] = [], backups: [BackupRecord] = []) -> HostState {
        HostState(
            name: "cpt18", xenVersion: "4.17.3", totalMemory: .gib(48), freeMemory: .gib(40), cpus: 16, dom0Memory: .gib(4),
            domains: [], saves: saves, backups: backups)
    }

    static let record = BackupRecord(
        domain: "web", id: "20261202T013000Z", directory: "/srv/backup", host: "cpt18", time: "2026-12-02T01:30:00Z",
        consistency: "pause", config: nil,
        disks: [
            .init(
                vdev: "xvda", container: "vg18", volume: "web-root", size: .gib(8), file: "xvda.img.zst", compressed: true,
                sha256: String(repeating: "0", count: 64), storedSize: .gib(1))
        ],
        xenplanVersion: "0.13.0")

    @Test func validSavesAndBackupsPassUnchanged() throws {
        let state = Self.state(saves: [SaveState(directory: "/var/lib/xenplan/save", domain: "web", size: .gib(2))], backups: [Self.record])
        #expect(try HostStateLimits.checked(state) == state)
    }

    @Test func sizesBeyondAPebibyteAreRefused() {
        var record = Self.record
        record.disks[0].storedSize = ByteSize(kib: 1 << 50)
        #expect(throws: HostStateLimits.Violation.self) { try HostStateLimits.checked(Self.state(backups: [record])) }
        let save = SaveState(directory: "/var/lib/xenplan/save", domain: "web", size: ByteSize(kib: -1))
        #expect(throws: HostStateLimits.Violation.self) { try HostStateLimits.checked(Self.state(saves: [save])) }
    }

    @Test func textIsEscaped() throws {
        var record = Self.record
        record.host = "cpt18\u{1b}[2J"
        let save = SaveState(directory: "/var/lib/xenplan/save", domain: "web\u{7}", size: .gib(2))
        let checked = try HostStateLimits.checked(Self.state(saves: [save], backups: [record]))
        #expect(checked.backups[0].host.contains("\u{1b}") == false)
        #expect(checked.saves[0].domain.contains("\u{7}") == false)
    }
}
