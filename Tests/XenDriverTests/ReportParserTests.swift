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

    @Test func lvsCommandNamesEachVolumeGroupOnce() throws {
        #expect(try LVMReport.command(volumeGroups: ["vg18", "san", "vg18"]) == LVMReport.options + ["vg18", "san"])
        #expect(throws: XlConfigError("'-a' is not a volume group name")) { try LVMReport.command(volumeGroups: ["-a"]) }
    }

    @Test func lvsGarbageIsAnError() {
        #expect(throws: XlConfigError.self) { try LVMReport.parse("  Volume group \"vg\" not found\n") }
        #expect(throws: XlConfigError.self) {
            try LVMReport.parse(#"{"report":[{"lv":[{"lv_name":"a","vg_name":"b","lv_size":"<1.00g"}]}]}"#)
        }
    }
}
