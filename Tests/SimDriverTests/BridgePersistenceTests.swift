import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

/// The simulated host's ifupdown: VLAN bridges, xenplan's files, and a reboot that keeps
/// only the bridges a file brings back.
@Suite struct BridgePersistenceTests {
    static let vlanFile = BridgeFile(bridge: "xenbr10", interface: "eth0", vlan: 10)

    @Test func aNewHostHasIfupdownAndBridgeUtils() async throws {
        let fx = SimFixture()
        let state = try await fx.driver().observe()
        #expect(state.persistence == BridgePersistence(ifupdown: true, sourcesDirectory: true, bridgeUtils: true))
    }

    @Test func vlanBridgeAndItsFileAreObserved() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try await driver.perform(.createBridge(name: "xenbr10", interface: "eth0", vlan: 10))
        try await driver.perform(.writeBridgeFile(Self.vlanFile))
        let state = try await driver.observe()
        #expect(
            state.bridges == [
                BridgeState(name: "xenbr10", interfaces: ["eth0.10"], vlans: [VlanPort(name: "eth0.10", parent: "eth0", id: 10)])
            ])
        #expect(state.persistence?.files == [ObservedBridgeFile(bridge: "xenbr10", text: Self.vlanFile.text)])
        #expect(try fx.xl().run(["edit-bridge-file", "xenbr10"]) == "xenplan-xenbr10 changed by hand")
        #expect(try await driver.observe().persistence?.file(of: "xenbr10")?.text == Self.vlanFile.text + "    # changed by hand\n")
        try await driver.perform(.removeBridgeFile(bridge: "xenbr10"))
        #expect(try await driver.observe().persistence?.files == [])
    }

    @Test func aRebootKeepsOnlyTheBridgesAFileBringsBack() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)  // xenbr0 on eth0, made by hand: no file
        try await driver.perform(.createBridge(name: "xenbr10", interface: "eth0", vlan: 10))
        try await driver.perform(.writeBridgeFile(Self.vlanFile))
        try await fx.start(driver, SimFixture.config("www", bridges: ["xenbr10"]))
        #expect(try fx.xl().run(["reboot"]) == "rebooted: no guest runs; bridges without an ifupdown file are gone")
        let state = try await driver.observe()
        #expect(state.guests.isEmpty)
        #expect(state.configs.map(\.name) == ["www"], "configurations are files: they stay")
        #expect(
            state.bridges == [
                BridgeState(name: "xenbr10", interfaces: ["eth0.10"], vlans: [VlanPort(name: "eth0.10", parent: "eth0", id: 10)])
            ])
    }

    @Test func withoutBridgeUtilsNoBridgeComesBack() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try await driver.perform(.createBridge(name: "xenbr1", interface: nil))
        try await driver.perform(.writeBridgeFile(BridgeFile(bridge: "xenbr1", interface: nil)))
        try driver.edit { $0.network?.bridgeUtils = false }
        _ = try fx.xl().run(["reboot"])
        #expect(try await driver.observe().bridges.isEmpty)
    }
}
