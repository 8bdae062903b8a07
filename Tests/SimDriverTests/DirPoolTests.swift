import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

/// Volumes of `dir` pools are the raw files `<dir>/<volume>.img`, as the manifest's disk
/// paths (PoolSpec.devicePath) and the Xen driver (imagePath) have them: the lab of real
/// Xen found the simulator looking for `<dir>/<volume>` and refusing every such guest.
@Suite struct DirPoolTests {
    func prepare(_ fx: SimFixture, _ driver: SimDriver) throws {
        try fx.prepare(driver)
        try driver.edit { file in
            file.storage["/srv/images"] = SimHostFile.Container(type: .dir, capacity: .gib(10), shared: true)
        }
    }

    @Test func guestOnAnImageFileStartsAndHoldsIt() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try prepare(fx, driver)
        try await driver.perform(.createVolume(container: "/srv/images", name: "g1-root", size: .mib(32)))
        try await fx.start(driver, SimFixture.config("g1", disks: [.init(vdev: "xvda", target: "/srv/images/g1-root.img")]))
        let state = try await driver.observe()
        #expect(state.guests.map(\.name) == ["g1"])
        #expect(state.volume(container: "/srv/images", name: "g1-root")?.size == .mib(32))
        // In use: removing the volume is refused with the file's path.
        let error = await thrown { try await driver.perform(.removeVolume(container: "/srv/images", name: "g1-root")) }
        #expect(error?.message == "/srv/images/g1-root.img: in use by domain g1")
    }

    @Test func missingImageFileIsNamedWithItsSuffix() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try prepare(fx, driver)
        try await driver.perform(.writeConfig(SimFixture.config("g2", disks: [.init(vdev: "xvda", target: "/srv/images/g2-root.img")])))
        let error = await thrown { try await driver.perform(.create(domain: "g2")) }
        #expect(error?.message == "Disk vdev=xvda failed to stat: /srv/images/g2-root.img: No such file or directory")
        try await driver.perform(.createVolume(container: "/srv/images", name: "g2-root", size: .mib(32)))
        let again = await thrown { try await driver.perform(.createVolume(container: "/srv/images", name: "g2-root", size: .mib(32))) }
        #expect(again?.message == "/srv/images/g2-root.img: File exists")
        try await driver.perform(.create(domain: "g2"))
        #expect(try await driver.observe().guests.map(\.name) == ["g2"])
    }
}
