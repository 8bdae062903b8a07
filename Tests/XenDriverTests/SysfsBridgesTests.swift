import Foundation
import HostModel
import Testing
import XenplanTestSupport

@testable import XenDriver

@Suite struct SysfsBridgesTests {
    private func tree(bridges: [String: [String]], others: [String]) throws -> (SysfsTree, URL) {
        let root = try TemporaryDirectory.create("sysfs")
        return (try SysfsTree(at: root, bridges: bridges, others: others), root)
    }

    @Test func aBridgeWithoutItsDomainsBackends() throws {
        let (sysfs, root) = try tree(bridges: ["xenbr0": ["eth0", "vif5.0"]], others: ["lo"])
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(try SysfsBridges.read(root: sysfs.classNet) == [BridgeState(name: "xenbr0", interfaces: ["eth0"])])
    }

    @Test func interfacesThatAreNoBridgeAreLeftOut() throws {
        let (sysfs, root) = try tree(
            bridges: ["xenbr1": [], "br-lan": ["vif3.0-emu", "eth2", "bond0"]],
            others: ["lo", "eth0", "eth1"])
        defer { try? FileManager.default.removeItem(at: root) }
        // A plain file beside the links, as the bonding driver adds one.
        _ = FileManager.default.createFile(atPath: sysfs.classNet + "/bonding_masters", contents: Data("bond0\n".utf8))
        #expect(
            try SysfsBridges.read(root: sysfs.classNet) == [
                BridgeState(name: "br-lan", interfaces: ["bond0", "eth2"]),
                BridgeState(name: "xenbr1", interfaces: []),
            ])
    }

    @Test func noBridgesIsEmpty() throws {
        let (sysfs, root) = try tree(bridges: [:], others: ["lo", "eth0"])
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(try SysfsBridges.read(root: sysfs.classNet) == [])
    }

    @Test func aMissingSysfsIsAnError() throws {
        let root = try TemporaryDirectory.create("sysfs")
        defer { try? FileManager.default.removeItem(at: root) }
        let missing = root.appendingPathComponent("class/net").path
        #expect(throws: XlConfigError("\(missing) does not exist: is sysfs mounted?")) { try SysfsBridges.read(root: missing) }
    }

    @Test func xenBackendInterfaceNames() {
        #expect(SysfsBridges.isXenBackend("vif12.0"))
        #expect(SysfsBridges.isXenBackend("vif3.1-emu"))
        #expect(!SysfsBridges.isXenBackend("vifbr0"))
        #expect(!SysfsBridges.isXenBackend("eth0"))
    }
}
