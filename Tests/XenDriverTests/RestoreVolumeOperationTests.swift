import CXen
import Foundation
import HostModel
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import XenDriver

/// `restore-volume`: filled under the partial name like a volume from an image, the
/// digest checked before the volume takes its name, an existing volume removed only after
/// that (with `replace`), and left as it was on any failure.
@Suite struct RestoreVolumeOperationTests {
    static let digest = "3f2a6f5a0c1a9a8e7b1c3d5e7f90a1b2c3d4e5f60718293a4b5c6d7e8f901234"
    static let other = String(repeating: "0", count: 64)
    static let lvs = ["lvs", "--reportformat", "json", "--units", "k", "--nosuffix", "-o", "lv_name,vg_name,lv_size,lv_tags", "vg18"]

    struct Host {
        let h: DriverHarness
        let copy: String
        var dir: String { h.paths.imageDirectories[0] }

        /// A backup copy in the pool, `compressed` or not; `sha256sum` answers `digest`.
        init(compressed: Bool, digest: String = RestoreVolumeOperationTests.digest) throws {
            h = try DriverHarness()
            let backup = h.paths.imageDirectories[0] + "/xenplan-backups/www/20261202T013000Z"
            try FileManager.default.createDirectory(atPath: backup, withIntermediateDirectories: true)
            copy = backup + (compressed ? "/xvda.img.zst" : "/xvda.img")
            try Data(repeating: 0xCD, count: 3000).write(to: URL(fileURLWithPath: copy))
            h.runner.respond(to: ["sha256sum"], with: CommandResult(status: 0, stdout: "\(digest)  -\n"))
        }

        func source(compressed: Bool) -> BackupSource {
            BackupSource(domain: "www", id: "20261202T013000Z", path: copy, compressed: compressed, sha256: RestoreVolumeOperationTests.digest)
        }

        func files() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }
    }

    func failure(_ operation: HostOperation, on host: Host) async -> HostError? {
        do {
            try await host.h.driver.perform(operation)
            return nil
        } catch {
            return error as? HostError
        }
    }

    @Test func aCompressedCopyIntoANewLogicalVolume() async throws {
        let host = try Host(compressed: true)
        defer { host.h.cleanup() }
        try await host.h.driver.perform(
            .restoreVolume(container: "vg18", name: "www-root2", size: .gib(20), source: host.source(compressed: true), replace: false))
        #expect(
            host.h.runner.commands == [
                Self.lvs,
                ["lvcreate", "-y", "--wipesignatures", "y", "-L", "20971520k", "-n", "www-root2_partial", "vg18"],
                ["zstd", "-d", "-q", "-f", "--no-sparse", host.copy, "-o", "/dev/vg18/www-root2_partial"],
                ["sha256sum", "--", "/dev/vg18/www-root2_partial"],
                ["lvrename", "vg18", "www-root2_partial", "www-root2"],
                ["lvchange", "--addtag", "xenplan", "vg18/www-root2"],
            ])
        #expect(host.h.runner.invocations[2...3].allSatisfy { $0.timeout == DriverHarness.deadlines.copyImage })
    }

    @Test func replacingRemovesTheOldVolumeOnlyAfterTheDigestMatched() async throws {
        let host = try Host(compressed: false)
        defer { host.h.cleanup() }
        try await host.h.driver.perform(
            .restoreVolume(container: "vg18", name: "www-root", size: .gib(20), source: host.source(compressed: false), replace: true))
        #expect(
            host.h.runner.commands == [
                Self.lvs,
                ["lvcreate", "-y", "--wipesignatures", "y", "-L", "20971520k", "-n", "www-root_partial", "vg18"],
                ["dd", "if=\(host.copy)", "of=/dev/vg18/www-root_partial", "bs=4M", "conv=fsync", "status=none"],
                ["sha256sum", "--", "/dev/vg18/www-root_partial"],
                ["lvremove", "-f", "vg18/www-root"],
                ["lvrename", "vg18", "www-root_partial", "www-root"],
                ["lvchange", "--addtag", "xenplan", "vg18/www-root"],
            ])
    }

    @Test func aDigestMismatchLeavesTheExistingVolume() async throws {
        let host = try Host(compressed: true, digest: Self.other)
        defer { host.h.cleanup() }
        let error = await failure(
            .restoreVolume(container: "vg18", name: "www-root", size: .gib(20), source: host.source(compressed: true), replace: true), on: host)
        #expect(
            error?.description
                == "host cpt18: restore-volume of domain www failed: vg18/www-root restored from backup 20261202T013000Z of www (\(host.copy)) has sha256 \(Self.other), expected \(Self.digest); the existing volume is left as it was"
        )
        #expect(
            host.h.runner.commands.suffix(2) == [
                ["sha256sum", "--", "/dev/vg18/www-root_partial"],
                ["lvremove", "-f", "vg18/www-root_partial"],
            ])
    }

    @Test func anExistingVolumeIsNeverWrittenOverWithoutReplace() async throws {
        let host = try Host(compressed: true)
        defer { host.h.cleanup() }
        let error = await failure(
            .restoreVolume(container: "vg18", name: "www-root", size: .gib(20), source: host.source(compressed: true), replace: false), on: host)
        #expect(
            error?.message
                == "volume vg18/www-root already exists: a backup is restored over an existing volume only when data loss is allowed")
        #expect(host.h.runner.commands == [Self.lvs])
    }

    @Test func aMissingCopyCreatesNothing() async throws {
        let host = try Host(compressed: true)
        defer { host.h.cleanup() }
        try FileManager.default.removeItem(atPath: host.copy)
        let error = await failure(
            .restoreVolume(container: "vg18", name: "www-root2", size: .gib(20), source: host.source(compressed: true), replace: false), on: host)
        #expect(error?.message == "backup copy \(host.copy) is not a regular file on cpt18")
        #expect(host.h.runner.commands == [Self.lvs])
    }

    @Test func anUncompressedCopyIntoANewImageFile() async throws {
        let host = try Host(compressed: false)
        defer { host.h.cleanup() }
        try Data("half".utf8).write(to: URL(fileURLWithPath: host.dir + "/www-root.img.partial"))
        try await host.h.driver.perform(
            .restoreVolume(container: host.dir, name: "www-root", size: .mib(4), source: host.source(compressed: false), replace: false))
        let path = host.dir + "/www-root.img"
        #expect(
            host.h.runner.commands == [
                ["cp", "--sparse=always", "--", host.copy, path + ".partial"],
                ["sha256sum", "--", path + ".partial"],
            ])
        #expect(host.files() == ["www-root.img", "xenplan-backups"])
        var st = stat()
        #expect(stat(path, &st) == 0 && st.st_size == 4 << 20 && st.st_mode & 0o777 == 0o600)
    }

    @Test func aCompressedCopyIntoAFileKeepsItsHoles() async throws {
        let host = try Host(compressed: true)
        defer { host.h.cleanup() }
        try await host.h.driver.perform(
            .restoreVolume(container: host.dir, name: "www-root", size: .mib(4), source: host.source(compressed: true), replace: false))
        let path = host.dir + "/www-root.img"
        #expect(host.h.runner.commands.first == ["zstd", "-d", "-q", "-f", host.copy, "-o", path + ".partial"])
    }

    @Test func replacingAnImageFileOnceTheDigestMatched() async throws {
        let host = try Host(compressed: false)
        defer { host.h.cleanup() }
        try Data("old disk".utf8).write(to: URL(fileURLWithPath: host.dir + "/www-root.img"))
        try await host.h.driver.perform(
            .restoreVolume(container: host.dir, name: "www-root", size: .mib(4), source: host.source(compressed: false), replace: true))
        #expect(host.files() == ["www-root.img", "xenplan-backups"])
        let head = try FileHandle(forReadingFrom: URL(fileURLWithPath: host.dir + "/www-root.img")).read(upToCount: 3001)
        #expect(head == Data(repeating: 0xCD, count: 3000) + Data([0]), "the backup's content, then zeros to the volume's size")
    }

    @Test func aMismatchedFileReplacesNothing() async throws {
        let host = try Host(compressed: false, digest: Self.other)
        defer { host.h.cleanup() }
        try Data("old disk".utf8).write(to: URL(fileURLWithPath: host.dir + "/www-root.img"))
        let error = await failure(
            .restoreVolume(container: host.dir, name: "www-root", size: .mib(4), source: host.source(compressed: false), replace: true), on: host)
        #expect(error?.message.contains("has sha256 \(Self.other), expected \(Self.digest)") == true)
        #expect(host.files() == ["www-root.img", "xenplan-backups"])
        #expect(FileManager.default.contents(atPath: host.dir + "/www-root.img") == Data("old disk".utf8))
    }

    @Test func aMissingZstdIsNamedWithItsPackage() async throws {
        let host = try Host(compressed: true)
        defer { host.h.cleanup() }
        host.h.tools.uninstall("zstd")
        let error = await failure(
            .restoreVolume(container: host.dir, name: "www-root", size: .mib(4), source: host.source(compressed: true), replace: false), on: host)
        #expect(error?.message == "zstd not found on cpt18: install the zstd package")
        #expect(host.files() == ["xenplan-backups"])
    }
}
