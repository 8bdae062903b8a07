import Foundation
import HostModel
import Testing
@testable import XenDriver

@Suite struct ReportParserTests {
    @Test func lvsReportOfADom0() throws {
        let volumes = try LVMReport.parse(try Fixtures.text("lvs/cpt18.json"))
        #expect(volumes.count == 9)
        #expect(volumes.first == VolumeState(container: "san", name: "ldap-root", size: .gib(10), owned: true))
        #expect(volumes.last == VolumeState(container: "vg18", name: "www-swap", size: .gib(1), owned: true))
        // Made by hand (dom0's own system volumes): not xenplan's.
        #expect(volumes.filter { !$0.owned }.map(\.name) == ["root", "swap"])
    }

    @Test func lvsWithNoVolumeGroupIsEmpty() throws {
        #expect(try LVMReport.parse(try Fixtures.text("lvs/no-volume-group.json")) == [])
        #expect(try LVMReport.parse("") == [])
    }

    @Test func lvsGarbageIsAnError() {
        #expect(throws: XlConfigError.self) { try LVMReport.parse("  Volume group \"vg\" not found\n") }
        #expect(throws: XlConfigError.self) {
            try LVMReport.parse(#"{"report":[{"lv":[{"lv_name":"a","vg_name":"b","lv_size":"<1.00g"}]}]}"#)
        }
    }

    @Test func ipLinkBridgesAndMembers() throws {
        let bridges = try IPLinkReport.parse(try Fixtures.text("ip/cpt18.json"))
        // vif1.0, vif2.0 and the tap vif6.0-emu are domains' NICs, not the bridge's setup.
        #expect(bridges == [
            BridgeState(name: "xenbr0", interfaces: ["eth0"]),
            BridgeState(name: "xenbr1", interfaces: []),
            BridgeState(name: "xenbr2", interfaces: ["bond0"]),
        ])
    }

    @Test func ipLinkWithoutBridges() throws {
        let json = #"[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"link_type":"loopback"},{"ifindex":2,"ifname":"eth0","flags":["UP"],"mtu":1500,"link_type":"ether","address":"52:54:00:12:34:56"}]"#
        #expect(try IPLinkReport.parse(json) == [])
        #expect(throws: XlConfigError.self) { try IPLinkReport.parse("Device \"x\" does not exist.") }
    }

    @Test func xenBackendInterfaceNames() {
        #expect(IPLinkReport.isXenBackend("vif12.0"))
        #expect(IPLinkReport.isXenBackend("vif3.1-emu"))
        #expect(!IPLinkReport.isXenBackend("vifbr0"))
        #expect(!IPLinkReport.isXenBackend("eth0"))
    }
}
