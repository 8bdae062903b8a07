import CXen
import Foundation
import HostModel
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import XenDriver

/// `copy-image`: the exact tools run for each pool kind and image format, the checks made
/// before anything is written, and that a failure leaves no volume or file behind.
@Suite struct ImageOperationTests {
    /// A driver whose host has a raw and a qcow2 image in `<root>/golden`.
    struct Host {
        let h: DriverHarness
        let raw: String
        let qcow2: String
        var dir: String { h.paths.imageDirectories[0] }

        /// `qcow2Size`: the disk the qcow2 image says it holds.
        init(qcow2Size: UInt64 = 2 << 30) throws {
            h = try DriverHarness()
            let golden = h.root.appendingPathComponent("golden").path
            try FileManager.default.createDirectory(atPath: golden, withIntermediateDirectories: true)
            raw = golden + "/debian12.img"
            qcow2 = golden + "/debian12.qcow2"
            try Data(repeating: 0xAB, count: 5000).write(to: URL(fileURLWithPath: raw))
            try ImageOperationTests.qcow2Header(virtualSize: qcow2Size).write(to: URL(fileURLWithPath: qcow2))
        }

        func image(_ format: String, sha256: String? = nil) -> ImageSource {
            ImageSource(name: "debian12", path: format == "raw" ? raw : qcow2, format: format, sha256: sha256)
        }

        func files() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }
    }

    /// The first bytes of a qcow2 version 3 file: magic, version, then the size at 24.
    static func qcow2Header(virtualSize: UInt64) -> Data {
        var bytes: [UInt8] = [0x51, 0x46, 0x49, 0xFB, 0, 0, 0, 3] + [UInt8](repeating: 0, count: 16)
        bytes += (0..<8).reversed().map { UInt8(truncatingIfNeeded: virtualSize >> (8 * UInt64($0))) }
        bytes += [UInt8](repeating: 0, count: 72)
        return Data(bytes)
    }

    static let lvs = ["lvs", "--reportformat", "json", "--units", "k", "--nosuffix", "-o", "lv_name,vg_name,lv_size,lv_tags", "vg18"]
    static let digest = "3f2a6f5a0c1a9a8e7b1c3d5e7f90a1b2c3d4e5f60718293a4b5c6d7e8f901234"

    func failure(_ operation: HostOperation, on host: Host) async -> HostError? {
        do {
            try await host.h.driver.perform(operation)
            return nil
        } catch {
            return error as? HostError
        }
    }

    // MARK: LVM

    @Test func rawIntoANewLogicalVolume() async throws {
        let host = try Host()
        defer { host.h.cleanup() }
        host.h.runner.respond(to: ["sha256sum"], with: CommandResult(status: 0, stdout: "\(Self.digest)  \(host.raw)\n"))
        try await host.h.driver.perform(
            .createVolumeFromImage(
                container: "vg18", name: "web2-root", size: .gib(8),
                image: host.image("raw", sha256: Self.digest)))
        #expect(
            host.h.runner.commands == [
                Self.lvs,
                ["sha256sum", "--", host.raw],
                ["lvcreate", "-y", "--wipesignatures", "y", "-L", "8388608k", "-n", "web2-root_partial", "vg18"],
                ["dd", "if=\(host.raw)", "of=/dev/vg18/web2-root_partial", "bs=4M", "conv=fsync", "status=none"],
                ["lvrename", "vg18", "web2-root_partial", "web2-root"],
                ["lvchange", "--addtag", "xenplan", "vg18/web2-root"],
            ])
    }

    @Test func qcow2IntoANewLogicalVolumeAfterALeftoverIsRemoved() async throws {
        let host = try Host()
        defer { host.h.cleanup() }
        host.h.runner.respond(
            to: ["lvs"],
            with: CommandResult(
                status: 0,
                stdout: """
                    {"report": [{"lv": [{"lv_name":"web2-root_partial", "vg_name":"vg18", "lv_size":"8388608.00", "lv_tags":""}]}]}
                    """))
        try await host.h.driver.perform(
            .createVolumeFromImage(
                container: "vg18", name: "web2-root", size: .gib(8),
                image: host.image("qcow2")))
        #expect(
            host.h.runner.commands == [
                Self.lvs,
                ["lvremove", "-f", "vg18/web2-root_partial"],
                ["lvcreate", "-y", "--wipesignatures", "y", "-L", "8388608k", "-n", "web2-root_partial", "vg18"],
                ["qemu-img", "convert", "-n", "-f", "qcow2", "-O", "raw", host.qcow2, "/dev/vg18/web2-root_partial"],
                ["lvrename", "vg18", "web2-root_partial", "web2-root"],
                ["lvchange", "--addtag", "xenplan", "vg18/web2-root"],
            ])
    }

    @Test func anExistingLogicalVolumeIsNeverWrittenOver() async throws {
        let host = try Host()
        defer { host.h.cleanup() }
        let error = await failure(
            .createVolumeFromImage(container: "vg18", name: "www-root", size: .gib(20), image: host.image("raw")),
            on: host)
        #expect(
            error?.description
                == "host cpt18: copy-image failed: volume vg18/www-root already exists: a volume is filled from an image only when it is created")
        #expect(host.h.runner.commands == [Self.lvs])
    }

    @Test func aFailedCopyRemovesThePartialVolume() async throws {
        let host = try Host()
        defer { host.h.cleanup() }
        host.h.runner.respond(
            to: ["dd"], with: CommandResult(status: 1, stderr: "dd: error writing '/dev/vg18/web2-root_partial': No space left on device\n"))
        let error = await failure(
            .createVolumeFromImage(container: "vg18", name: "web2-root", size: .gib(8), image: host.image("raw")),
            on: host)
        #expect(
            error?.message
                == "`dd if=\(host.raw) of=/dev/vg18/web2-root_partial bs=4M conv=fsync status=none` exited with status 1: dd: error writing '/dev/vg18/web2-root_partial': No space left on device"
        )
        #expect(
            host.h.runner.commands.suffix(2) == [
                ["dd", "if=\(host.raw)", "of=/dev/vg18/web2-root_partial", "bs=4M", "conv=fsync", "status=none"],
                ["lvremove", "-f", "vg18/web2-root_partial"],
            ])
    }

    @Test func aChecksumMismatchCreatesNoVolume() async throws {
        let host = try Host()
        defer { host.h.cleanup() }
        let other = String(repeating: "0", count: 64)
        host.h.runner.respond(to: ["sha256sum"], with: CommandResult(status: 0, stdout: "\(other)  \(host.raw)\n"))
        let error = await failure(
            .createVolumeFromImage(
                container: "vg18", name: "web2-root", size: .gib(8),
                image: host.image("raw", sha256: Self.digest)), on: host)
        #expect(error?.message == "image debian12 (\(host.raw)) on cpt18 has sha256 \(other), expected \(Self.digest)")
        #expect(host.h.runner.commands == [Self.lvs, ["sha256sum", "--", host.raw]])
    }

    // MARK: dir pools

    @Test func rawIntoANewImageFile() async throws {
        let host = try Host()
        defer { host.h.cleanup() }
        // A leftover of an interrupted copy goes first.
        try Data("half".utf8).write(to: URL(fileURLWithPath: host.dir + "/web2-root.img.partial"))
        try await host.h.driver.perform(
            .createVolumeFromImage(
                container: host.dir, name: "web2-root", size: .gib(8),
                image: host.image("raw")))
        let path = host.dir + "/web2-root.img"
        #expect(host.h.runner.commands == [["cp", "--sparse=always", "--", host.raw, path + ".partial"]])
        #expect(try host.files() == ["web2-root.img"])
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_size == 8 << 30)
        #expect(st.st_mode & 0o777 == 0o600)
        let head = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)).read(upToCount: 5001)
        #expect(head == Data(repeating: 0xAB, count: 5000) + Data([0]), "the image, then zeros to the volume's size")
        #expect(XenDriver.isOwnedImage(path) == Self.keepsUserAttributes(host.dir))
    }

    @Test func qcow2IntoANewImageFile() async throws {
        let host = try Host()
        defer { host.h.cleanup() }
        try await host.h.driver.perform(
            .createVolumeFromImage(
                container: host.dir, name: "web2-root", size: .gib(8),
                image: host.image("qcow2")))
        let path = host.dir + "/web2-root.img"
        #expect(host.h.runner.commands == [["qemu-img", "convert", "-f", "qcow2", "-O", "raw", host.qcow2, path + ".partial"]])
        #expect(try host.files() == ["web2-root.img"])
        var st = stat()
        #expect(stat(path, &st) == 0 && st.st_size == 8 << 30)
        #expect(st.st_mode & 0o777 == 0o600)
    }

    @Test func anExistingImageFileIsNeverWrittenOver() async throws {
        let host = try Host()
        defer { host.h.cleanup() }
        try await host.h.driver.perform(.createVolume(container: host.dir, name: "web2-root", size: .gib(1)))
        let error = await failure(
            .createVolumeFromImage(container: host.dir, name: "web2-root", size: .gib(8), image: host.image("raw")),
            on: host)
        #expect(error?.message == "\(host.dir)/web2-root.img already exists: a volume is filled from an image only when it is created")
        #expect(host.h.runner.commands.isEmpty)
        var st = stat()
        #expect(stat(host.dir + "/web2-root.img", &st) == 0 && st.st_size == 1 << 30)
    }

    @Test func aChecksumMismatchLeavesNoFile() async throws {
        let host = try Host()
        defer { host.h.cleanup() }
        let other = String(repeating: "e", count: 64)
        host.h.runner.respond(to: ["sha256sum"], with: CommandResult(status: 0, stdout: "\(other)  \(host.qcow2)\n"))
        let error = await failure(
            .createVolumeFromImage(
                container: host.dir, name: "web2-root", size: .gib(8),
                image: host.image("qcow2", sha256: Self.digest)), on: host)
        #expect(error?.message == "image debian12 (\(host.qcow2)) on cpt18 has sha256 \(other), expected \(Self.digest)")
        #expect(host.h.runner.commands == [["sha256sum", "--", host.qcow2]])
        #expect(try host.files() == [])
    }

    @Test func aMissingQemuImgIsNamedWithItsPackage() async throws {
        let host = try Host()
        defer { host.h.cleanup() }
        host.h.tools.uninstall("qemu-img")
        let error = await failure(
            .createVolumeFromImage(container: host.dir, name: "web2-root", size: .gib(8), image: host.image("qcow2")),
            on: host)
        #expect(error?.description == "host cpt18: copy-image failed: qemu-img not found on cpt18: install the qemu-utils package")
        #expect(try host.files() == [])
    }

    // MARK: The image itself

    @Test func imagesThatDoNotFitOrAreNotWhatTheySayAreRefused() async throws {
        let host = try Host(qcow2Size: 10 << 30)
        defer { host.h.cleanup() }
        let cases: [(ImageSource, String)] = [
            (host.image("qcow2"), "image debian12 is 10 GiB, larger than the 8 GiB disk"),
            (ImageSource(name: "debian12", path: host.qcow2, format: "raw"), "image debian12 (\(host.qcow2)) on cpt18 is qcow2, declared raw"),
            (ImageSource(name: "debian12", path: host.raw, format: "qcow2"), "image debian12 (\(host.raw)) on cpt18 is raw, declared qcow2"),
            (
                ImageSource(name: "debian12", path: host.raw + ".nothing", format: "raw"),
                "image debian12 (\(host.raw).nothing) is not a regular file on cpt18"
            ),
            (ImageSource(name: "debian12", path: host.dir, format: "raw"), "image debian12 (\(host.dir)) is not a regular file on cpt18"),
        ]
        for (image, message) in cases {
            for container in ["vg18", host.dir] {
                host.h.runner.reset()
                let error = await failure(
                    .createVolumeFromImage(container: container, name: "web2-root", size: .gib(8), image: image),
                    on: host)
                #expect(error?.message == message)
                #expect(host.h.runner.commands == (container == "vg18" ? [Self.lvs] : []))
            }
        }
        #expect(try host.files() == [])
    }

    /// Values that would reach a command line badly are refused before anything runs.
    @Test(arguments: [
        (
            ImageSource(name: "debian12", path: "/srv/images/a b.img", format: "raw"),
            "image.path: '/srv/images/a b.img' is not an absolute path of at most 1024 bytes without '..', spaces or shell characters"
        ),
        (
            ImageSource(name: "debian12", path: "srv/a.img", format: "raw"),
            "image.path: 'srv/a.img' is not an absolute path of at most 1024 bytes without '..', spaces or shell characters"
        ),
        (ImageSource(name: "debian12", path: "/srv/a.vmdk", format: "vmdk"), "image.format: 'vmdk' is not one of raw, qcow2"),
        (ImageSource(name: "-debian", path: "/srv/a.img", format: "raw"), "image.name: '-debian' is not an image name ([a-z0-9][a-z0-9.-]{0,62})"),
        (
            ImageSource(name: "debian12", path: "/srv/a.img", format: "raw", sha256: String(repeating: "A", count: 64)),
            "image.sha256: '\(String(repeating: "A", count: 48))…' is not a SHA-256 (64 lower-case hexadecimal digits)"
        ),
    ])
    func hostileImageValuesAreRefusedBeforeAnythingRuns(_ image: ImageSource, _ message: String) async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        await #expect { try await h.driver.perform(.createVolumeFromImage(container: "vg18", name: "x", size: .gib(1), image: image)) } throws: {
            ($0 as? HostError)?.message == message
        }
        #expect(h.runner.commands.isEmpty)
    }

    // MARK: Observation

    @Test func declaredImagesAreObservedFromTheirFirstBytes() async throws {
        let dir = try TemporaryDirectory.create("images").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(repeating: 1, count: 3000).write(to: URL(fileURLWithPath: dir + "/small.img"))
        try Self.qcow2Header(virtualSize: (8 << 30) + 1).write(to: URL(fileURLWithPath: dir + "/big.qcow2"))
        // Absent, a directory, not a path, twice: only the regular files are listed, once each.
        let h = try DriverHarness(imagePaths: [
            dir + "/big.qcow2", dir + "/small.img", dir + "/absent.img", dir, "relative.img",
            dir + "/small.img",
        ])
        defer { h.cleanup() }
        let state = try await h.driver.observe()
        #expect(
            state.images == [
                ImageState(path: dir + "/big.qcow2", fileSize: ByteSize(kib: 1), virtualSize: ByteSize(kib: (8 << 20) + 1), format: "qcow2"),
                ImageState(path: dir + "/small.img", fileSize: ByteSize(kib: 3), virtualSize: ByteSize(kib: 3), format: "raw"),
            ])
    }

    @Test func theQcow2HeaderGivesFormatAndSize() {
        let header = ImageHeader(bytes: [UInt8](Self.qcow2Header(virtualSize: 0x0102_0304_0506_0708).prefix(32)), fileBytes: 196_608)
        #expect(header.format == "qcow2")
        #expect(header.virtualBytes == 0x0102_0304_0506_0708)
        let short = ImageHeader(bytes: [0x51, 0x46, 0x49, 0xFB], fileBytes: 4)
        #expect(short.format == "raw" && short.virtualBytes == 4, "too short for a qcow2 header")
        #expect(ImageHeader.size(1025) == ByteSize(kib: 2))
        #expect(ImageHeader.size(1024) == ByteSize(kib: 1))
    }

    /// Whether files in `dir` keep user extended attributes (tmpfs before Linux 6.6 does not).
    static func keepsUserAttributes(_ dir: String) -> Bool {
        let probe = dir + "/.xattr-probe"
        _ = FileManager.default.createFile(atPath: probe, contents: nil)
        defer { unlink(probe) }
        return setxattr(probe, "user.probe", "1", 1, 0) == 0
    }
}
