import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

/// A volume filled from an image: the real driver's refusals in its words, the volume
/// complete or absent, and a duration that follows the bytes copied.
@Suite struct ImageCopyTests {
    static let rawPath = "/srv/images/debian-12.raw"
    static let qcowPath = "/srv/images/debian-12.qcow2"
    static let rawSHA = String(repeating: "ab", count: 32)
    static let qcowSHA = String(repeating: "cd", count: 32)

    static func raw(sha256: String? = rawSHA, format: String = "raw", path: String = rawPath) -> ImageSource {
        ImageSource(name: "debian-12", path: path, format: format, sha256: sha256)
    }

    /// A host with vg18 (100 GiB), the shared VG san, a raw image of 2 GiB and a qcow2
    /// image of 700 MiB holding 10 GiB, and the volume www-root.
    func host(_ fx: SimFixture, _ name: String = "cpt18") async throws -> SimDriver {
        let driver = fx.driver(name)
        try fx.prepare(driver, localVG: "vg18")
        try driver.setImage(Self.rawPath, to: SimHostFile.Image(fileSize: .gib(2), sha256: Self.rawSHA))
        try driver.setImage(
            Self.qcowPath,
            to: SimHostFile.Image(
                fileSize: .mib(700), virtualSize: .gib(10),
                format: "qcow2", sha256: Self.qcowSHA))
        try await driver.perform(.createVolume(container: "vg18", name: "www-root", size: .gib(5)))
        return driver
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var operation: HostOperation
        var message: String
        var testDescription: String { label }
    }

    @Test(arguments: [
        Case(
            label: "an existing volume is never written over",
            operation: .createVolumeFromImage(container: "vg18", name: "www-root", size: .gib(8), image: raw()),
            message: "Logical Volume \"www-root\" already exists in volume group \"vg18\""),
        Case(
            label: "the image is not on the host",
            operation: .createVolumeFromImage(
                container: "vg18", name: "a-root", size: .gib(8),
                image: raw(path: "/srv/images/gone.raw")),
            message: "image debian-12 (/srv/images/gone.raw) is not on cpt18"),
        Case(
            label: "another file than the one declared",
            operation: .createVolumeFromImage(
                container: "vg18", name: "a-root", size: .gib(8),
                image: raw(sha256: String(repeating: "0", count: 64))),
            message: "image debian-12 (/srv/images/debian-12.raw) on cpt18 has sha256 \(rawSHA), expected \(String(repeating: "0", count: 64))"),
        Case(
            label: "a raw file declared qcow2",
            operation: .createVolumeFromImage(container: "vg18", name: "a-root", size: .gib(8), image: raw(format: "qcow2")),
            message: "image debian-12 (/srv/images/debian-12.raw) on cpt18 is raw, not qcow2 as declared"),
        Case(
            label: "a disk smaller than the image",
            operation: .createVolumeFromImage(
                container: "vg18", name: "a-root", size: .gib(8),
                image: ImageSource(name: "debian-12", path: qcowPath, format: "qcow2")),
            message: "image debian-12 is 10 GiB, larger than the 8 GiB disk"),
        Case(
            label: "no room in the volume group",
            operation: .createVolumeFromImage(container: "vg18", name: "a-root", size: .gib(96), image: raw()),
            message: "Volume group \"vg18\" has insufficient free space (24320 extents): 24576 required."),
        Case(
            label: "no such volume group",
            operation: .createVolumeFromImage(container: "vg99", name: "a-root", size: .gib(8), image: raw()),
            message: "Volume group \"vg99\" not found"),
    ])
    func refused(_ c: Case) async throws {
        let fx = SimFixture()
        let driver = try await host(fx)
        let before = try driver.file()
        let error = await thrown { try await driver.perform(c.operation) }
        #expect(error == HostError(host: "cpt18", operation: "copy-image", message: c.message))
        #expect(try driver.file() == before)
    }

    @Test func copyMakesAnOwnedVolumeOfTheDiskSize() async throws {
        let fx = SimFixture()
        let driver = try await host(fx)
        try await driver.perform(.createVolumeFromImage(container: "vg18", name: "a-root", size: .gib(8), image: Self.raw()))
        // Without a declared sha256 the file is not checked; a qcow2 image fits a disk of its virtual size.
        try await driver.perform(
            .createVolumeFromImage(
                container: "san", name: "b-root", size: .gib(10),
                image: ImageSource(name: "debian-12", path: Self.qcowPath, format: "qcow2")))
        let state = try await driver.observe()
        #expect(
            state.volume(container: "vg18", name: "a-root")
                == VolumeState(
                    container: "vg18", name: "a-root",
                    size: .gib(8), owned: true))
        #expect(
            state.volume(container: "san", name: "b-root")
                == VolumeState(
                    container: "san", name: "b-root",
                    size: .gib(10), owned: true))
        #expect(
            state.images == [
                ImageState(path: Self.qcowPath, fileSize: .mib(700), virtualSize: .gib(10), format: "qcow2"),
                ImageState(path: Self.rawPath, fileSize: .gib(2), virtualSize: .gib(2), format: "raw"),
            ])
        // The shared volume group shows the copy on every host that shares it.
        let other = fx.driver("cpt76")
        try fx.prepare(other, localVG: "vg76")
        try await driver.perform(
            .createVolumeFromImage(
                container: "san", name: "c-root", size: .gib(10),
                image: ImageSource(
                    name: "debian-12", path: Self.qcowPath,
                    format: "qcow2")))
        #expect(try await other.observe().volume(container: "san", name: "c-root")?.size == .gib(10))
    }

    @Test func aFaultLeavesNoVolume() async throws {
        let fx = SimFixture()
        let driver = try await host(fx)
        try driver.fail("copy-image")
        let before = try driver.file()
        let operation = HostOperation.createVolumeFromImage(container: "vg18", name: "a-root", size: .gib(8), image: Self.raw())
        let error = await thrown { try await driver.perform(operation) }
        #expect(error == HostError(host: "cpt18", operation: "copy-image", message: "simulated failure of copy-image"))
        var expected = before
        expected.failures = [:]
        #expect(try driver.file() == expected)
        #expect(try await driver.observe().volume(container: "vg18", name: "a-root") == nil)
        try await driver.perform(operation)
        #expect(try await driver.observe().volume(container: "vg18", name: "a-root")?.size == .gib(8))
    }

    /// 200 MiB/s: a raw image copies its whole disk, a qcow2 image only its file.
    @Test func durationFollowsTheBytesCopied() async throws {
        let fx = SimFixture()
        let driver = try await host(fx)
        var file = try driver.file()
        #expect(file.copySeconds(of: Self.raw()) == 10.24)
        #expect(file.copySeconds(of: ImageSource(name: "debian-12", path: Self.qcowPath, format: "qcow2")) == 3.5)
        #expect(file.copySeconds(of: Self.raw(path: "/srv/images/gone.raw")) == 0)
        file.latencies["copy-image"] = 2
        #expect(file.copySeconds(of: Self.raw()) == 12.24)
    }

    @Test func copyTimeIsScaledBySpeed() async throws {
        let fx = SimFixture()
        _ = try await host(fx)
        let slow = SimDriver(stateDirectory: fx.directory, host: "cpt18", clock: fx.clock, speed: 0.005)
        let start = ContinuousClock.now
        // 10.24 s × 0.005 = 51 ms.
        try await slow.perform(.createVolumeFromImage(container: "vg18", name: "a-root", size: .gib(8), image: Self.raw()))
        #expect(ContinuousClock.now - start >= .milliseconds(51))
        // A refusal comes at once, not after the 10.24 s the copy would take.
        let realTime = SimDriver(stateDirectory: fx.directory, host: "cpt18", clock: fx.clock, speed: 1)
        let refusedStart = ContinuousClock.now
        let error = await thrown {
            try await realTime.perform(.createVolumeFromImage(container: "vg18", name: "a-root", size: .gib(8), image: Self.raw()))
        }
        #expect(error?.message == "Logical Volume \"a-root\" already exists in volume group \"vg18\"")
        #expect(ContinuousClock.now - refusedStart < .seconds(5))
    }
}
