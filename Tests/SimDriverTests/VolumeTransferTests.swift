import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

/// A cold move between two simulated hosts: the copy on the target holds the source's
/// content (its digest), is named only once whole, and nothing is copied while the guest
/// is still on the source. Each of the three operations can be made to fail.
@Suite struct VolumeTransferTests {
    static let transfer = VolumeTransfer(
        domain: "web", container: "vg18", name: "web-root", size: .gib(1), toHost: "cpt76", toContainer: "vg76", toName: "web-root")

    /// cpt18 running web on vg18/web-root (written since it was made), cpt76 with its own vg76.
    func hosts(_ fx: SimFixture) async throws -> (SimDriver, SimDriver) {
        let cpt18 = fx.driver("cpt18"), cpt76 = fx.driver("cpt76")
        try fx.prepare(cpt18)
        try fx.prepare(cpt76, localVG: "vg76")
        try await cpt18.perform(.createVolume(container: "vg18", name: "web-root", size: .gib(1)))
        try await fx.start(cpt18, SimFixture.config("web", disks: [.init(vdev: "xvda", target: "/dev/vg18/web-root")]))
        _ = try fx.xl().run(["write", "vg18/web-root"])
        return (cpt18, cpt76)
    }

    @Test func theCopyHoldsTheSourcesContentAndTheSourceKeepsItsVolume() async throws {
        let fx = SimFixture()
        let (cpt18, cpt76) = try await hosts(fx)
        let original = try cpt18.file().content(container: "vg18", volume: "web-root")
        try await cpt76.perform(.receiveVolume(container: "vg76", name: "web-root", size: .gib(1)))
        #expect(
            try await cpt76.observe().volume(container: "vg76", name: "web-root_partial")
                == VolumeState(container: "vg76", name: "web-root_partial", size: .gib(1), owned: false))
        // Not while the guest may write it.
        let running = await thrown { try await cpt18.perform(.sendVolume(Self.transfer)) }
        #expect(running?.message == "web is still on cpt18: its volume vg18/web-root is not copied while it may be written")
        #expect(try cpt76.file().content(container: "vg76", volume: "web-root_partial") != original)

        try await cpt18.perform(.shutdown(domain: "web", timeoutSeconds: 60))
        try await cpt18.perform(.sendVolume(Self.transfer))
        try await cpt76.perform(.commitVolume(container: "vg76", name: "web-root"))
        let target = try cpt76.file()
        #expect(target.content(container: "vg76", volume: "web-root") == original)
        #expect(target.storage["vg76"]?.volumes == ["web-root": .gib(1)])
        #expect(target.storage["vg76"]?.owned == ["web-root"])
        #expect(try cpt18.file().content(container: "vg18", volume: "web-root") == original)

        // Checked again later: the named copy is compared, not written.
        var checked = Self.transfer
        checked.alreadyCopied = true
        try await cpt18.perform(.sendVolume(checked))
        _ = try fx.xl("cpt76").run(["write", "vg76/web-root"])
        let differs = await thrown { try await cpt18.perform(.sendVolume(checked)) }
        #expect(differs?.message.hasSuffix("it is not a copy of this volume; remove one of them") == true)
    }

    @Test func aCopyIsNeverWrittenOverAVolumeAndNeedsItsPartialVolume() async throws {
        let fx = SimFixture()
        let (cpt18, cpt76) = try await hosts(fx)
        try await cpt18.perform(.shutdown(domain: "web", timeoutSeconds: 60))
        let noPartial = await thrown { try await cpt18.perform(.sendVolume(Self.transfer)) }
        #expect(noPartial?.message == "blockdev: cannot open /dev/vg76/web-root_partial: No such file or directory")
        try await cpt76.perform(.createVolume(container: "vg76", name: "web-root", size: .gib(1)))
        let exists = await thrown { try await cpt76.perform(.receiveVolume(container: "vg76", name: "web-root", size: .gib(1))) }
        #expect(exists?.message == "Logical Volume \"web-root\" already exists in volume group \"vg76\"")
        let nothing = await thrown { try await cpt76.perform(.commitVolume(container: "vg76", name: "db-root")) }
        #expect(nothing?.message == "volume vg76/db-root_partial is not there: nothing was copied to name db-root")
        var elsewhere = Self.transfer
        elsewhere.toHost = "cpt99"
        let unreachable = await thrown { try await cpt18.perform(.sendVolume(elsewhere)) }
        #expect(unreachable?.message == "ssh: Could not resolve hostname cpt99: Name or service not known")
    }

    @Test(arguments: ["receive-volume", "send-volume", "commit-volume"]) func eachStepCanBeMadeToFail(_ kind: String) async throws {
        let fx = SimFixture()
        let (cpt18, cpt76) = try await hosts(fx)
        try await cpt18.perform(.shutdown(domain: "web", timeoutSeconds: 60))
        try (kind == "send-volume" ? cpt18 : cpt76).fail(kind)
        let steps: [(SimDriver, HostOperation)] = [
            (cpt76, .receiveVolume(container: "vg76", name: "web-root", size: .gib(1))), (cpt18, .sendVolume(Self.transfer)),
            (cpt76, .commitVolume(container: "vg76", name: "web-root")),
        ]
        var failed: HostError?
        for (driver, op) in steps where failed == nil {
            failed = await thrown { try await driver.perform(op) }
        }
        #expect(failed?.operation == kind)
        #expect(failed?.message == "simulated failure of \(kind)")
        #expect(try await cpt76.observe().volume(container: "vg76", name: "web-root") == nil)
    }
}
