import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

/// hvm and pvh guests on the simulated host: what it refuses to write, what an hvm guest
/// costs, and a dom0 interface name two running guests cannot share.
@Suite struct GuestTypeTests {
    static func hvm(_ name: String, vifname: String? = nil) -> DomainConfig {
        var config = SimFixture.config(name, memory: .mib(512), maxmem: .gib(1))
        config.type = "hvm"
        config.boot = .firmware(.uefi)
        config.hvm = DomainConfig.Hvm(bootOrder: [.cdrom, .disk], cdrom: "/srv/iso/tools.iso")
        config.nics[0].vifname = vifname
        return config
    }

    @Test func anIncoherentConfigurationIsNotWritten() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        var config = Self.hvm("desk")
        config.boot = .pygrub
        let error = await thrown { try await driver.perform(.writeConfig(config)) }
        #expect(
            error
                == HostError(
                    host: "cpt18", operation: "write-config", domain: "desk",
                    message: "domain desk: cannot write its xl configuration: boot: an hvm guest boots from its firmware, not from pygrub"))
        #expect(try driver.file().configs.isEmpty)
    }

    /// The CD-ROM is the configuration's, not a disk; the paging pool is counted.
    @Test func anHvmGuestRunsWithItsCdromInItsConfiguration() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await fx.start(driver, Self.hvm("desk"))
        let state = try await driver.observe()
        #expect(state.guests.map(\.type) == ["hvm"])
        #expect(state.guests.first?.disks == [])
        #expect(state.config(named: "desk")?.hvm?.cdrom == "/srv/iso/tools.iso")
        let cost = XenMemory.footprint(actual: .mib(512), staticMax: .gib(1), type: "hvm", maxVcpus: 2)
        #expect(state.freeMemory == .mib(30208) - cost)
    }

    @Test func twoRunningGuestsCannotShareADom0InterfaceName() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await fx.start(driver, Self.hvm("desk", vifname: "lan0"))
        try await driver.perform(.writeConfig(Self.hvm("desk2", vifname: "lan0")))
        let error = await thrown { try await driver.perform(.create(domain: "desk2")) }
        #expect(error?.message == "/etc/xen/scripts/vif-bridge failed; error detected: ip link set dev lan0 failed: File exists")
        try await driver.perform(.destroy(domain: "desk"))
        try await driver.perform(.create(domain: "desk2"))
    }
}
