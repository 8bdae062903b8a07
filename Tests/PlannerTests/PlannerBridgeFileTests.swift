import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// Bridges that survive a reboot: on a host that reports its ifupdown files, each
/// declared bridge has xenplan's file, written with the bridge, rewritten when missing or
/// changed by hand, removed when the bridge is no longer declared; a host where a file
/// would do nothing, and a bridge on another port, get notices.
@Suite struct PlannerBridgeFileTests {
    static let xenbr0 = BridgeFile(bridge: "xenbr0", interface: "eth0")

    /// cpt18 with ifupdown and bridge-utils and the files given; cpt76 without ifupdown.
    static func observed(files: [ObservedBridgeFile], persistence: BridgePersistence? = nil) -> [HostState] {
        Fixture.converged(Std.lab()).map { h in
            var h = h
            if h.name == "cpt18" {
                h.persistence = persistence ?? BridgePersistence(ifupdown: true, sourcesDirectory: true, bridgeUtils: true, files: files)
            }
            return h
        }
    }

    static let written = ObservedBridgeFile(bridge: "xenbr0", text: xenbr0.text)

    @Test func aMissingFileIsWrittenAndThePlanThenIsEmpty() throws {
        let hosts = Self.observed(files: [])
        let plan = try Planner.plan(lab: Std.lab(), observed: hosts)
        #expect(lines(plan) == ["bridge-file bridge xenbr0's ifupdown file missing@cpt18 none"])
        #expect(plan.actions[0].operations == [.writeBridgeFile(Self.xenbr0)])
        #expect(plan.notices.isEmpty, "cpt76 reports nothing about ifupdown: nothing is said about it")
        #expect(try Planner.plan(lab: Std.lab(), observed: try applying(plan, to: hosts)).actions.isEmpty)
    }

    @Test func aFileChangedByHandIsRewritten() throws {
        let edited = ObservedBridgeFile(bridge: "xenbr0", text: Self.xenbr0.text + "    bridge_maxwait 0\n")
        let plan = try Planner.plan(lab: Std.lab(), observed: Self.observed(files: [edited]))
        #expect(lines(plan) == ["bridge-file bridge xenbr0's ifupdown file changed by hand@cpt18 none"])
        #expect(
            plan.actions[0].reason
                == "/etc/network/interfaces.d/xenplan-xenbr0 brings bridge xenbr0 back at boot; rewritten as the manifests declare it")
        #expect(try Planner.plan(lab: Std.lab(), observed: Self.observed(files: [Self.written])).isEmpty)
    }

    @Test func theFileOfABridgeNoLongerDeclaredIsRemoved() throws {
        let old = ObservedBridgeFile(bridge: "xenbr9", text: BridgeFile(bridge: "xenbr9", interface: nil).text)
        let plan = try Planner.plan(lab: Std.lab(), observed: Self.observed(files: [Self.written, old]))
        #expect(lines(plan) == ["bridge-file bridge xenbr9's ifupdown file removed@cpt18 none"])
        #expect(plan.actions[0].operations == [.removeBridgeFile(bridge: "xenbr9")])
    }

    @Test func aNewVlanBridgeIsMadeWithItsFile() throws {
        var hosts = Std.hosts
        hosts[0].bridges.append(BridgeSpec(name: "xenbr10", interface: "eth0", vlan: 10))
        let lab = Std.lab(hosts: hosts)
        let observed = Self.observed(files: [Self.written])
        let plan = try Planner.plan(lab: lab, observed: observed)
        #expect(plan.actions.map(\.summary) == ["xenbr10 on eth0 VLAN 10"])
        #expect(
            plan.actions[0].operations == [
                .createBridge(name: "xenbr10", interface: "eth0", vlan: 10),
                .writeBridgeFile(BridgeFile(bridge: "xenbr10", interface: "eth0", vlan: 10)),
            ])
        let after = try applying(plan, to: observed)
        #expect(
            after[0].bridge(named: "xenbr10")
                == BridgeState(name: "xenbr10", interfaces: ["eth0.10"], vlans: [VlanPort(name: "eth0.10", parent: "eth0", id: 10)]))
        #expect(try Planner.plan(lab: lab, observed: after).isEmpty)
    }

    @Test func aBridgeOnAnotherVlanIsANoticeNotARewiring() throws {
        var hosts = Std.hosts
        hosts[0].bridges.append(BridgeSpec(name: "xenbr10", interface: "eth0", vlan: 10))
        let file = BridgeFile(bridge: "xenbr10", interface: "eth0", vlan: 10)
        var observed = Self.observed(files: [Self.written, ObservedBridgeFile(bridge: "xenbr10", text: file.text)])
        observed[0].bridges.append(
            BridgeState(name: "xenbr10", interfaces: ["eth0.10"], vlans: [VlanPort(name: "eth0.10", parent: "eth0", id: 20)]))
        let plan = try Planner.plan(lab: Std.lab(hosts: hosts), observed: observed)
        #expect(plan.actions.isEmpty)
        #expect(
            plan.notices.map(\.message) == [
                "bridge xenbr10's port eth0.10 is VLAN 20 on eth0, declared VLAN 10 on eth0 on cpt18: xenplan does not re-wire an existing bridge; fix it by hand"
            ])
        #expect(noticeLines(plan) == ["bridge -@cpt18"])
    }

    @Test(arguments: [
        (BridgePersistence(ifupdown: true, sourcesDirectory: true, bridgeUtils: false), "bridge-utils is not installed (apt install bridge-utils)"),
        (
            BridgePersistence(ifupdown: true, sourcesDirectory: false, bridgeUtils: true),
            "/etc/network/interfaces does not read /etc/network/interfaces.d (add `source /etc/network/interfaces.d/*`)"
        ),
        (
            BridgePersistence(ifupdown: false, sourcesDirectory: false, bridgeUtils: false),
            "/etc/network/interfaces does not exist (ifupdown is not installed or not in use)"
        ),
    ])
    func aFileThatWouldDoNothingIsNotWrittenButSaid(_ persistence: BridgePersistence, _ why: String) throws {
        let plan = try Planner.plan(lab: Std.lab(), observed: Self.observed(files: [], persistence: persistence))
        #expect(plan.actions.isEmpty)
        #expect(plan.notices.map(\.message) == ["bridges xenbr0 on cpt18 do not survive a reboot: \(why)"])
        let report = DriftReport(lab: Std.lab(), observed: Self.observed(files: [], persistence: persistence), plan: plan)
        #expect(report.items.map(\.message) == plan.notices.map(\.message))
    }

    @Test func driftNamesAMissingFile() throws {
        let observed = Self.observed(files: [])
        let plan = try Planner.plan(lab: Std.lab(), observed: observed)
        let report = DriftReport(lab: Std.lab(), observed: observed, plan: plan)
        #expect(
            report.items == [DriftItem(kind: .notApplied, host: "cpt18", domain: nil, message: "ifupdown: bridge xenbr0's ifupdown file missing")])
    }
}
