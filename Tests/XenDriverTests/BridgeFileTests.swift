import Foundation
import HostModel
import Testing
import XenplanBasics

@testable import XenDriver

/// Bridges that survive a reboot: the ifupdown files the driver writes, reads and
/// removes, and the VLAN interfaces it makes and reads.
@Suite struct BridgeFileTests {
    static let vlanFile = BridgeFile(bridge: "xenbr10", interface: "eth0", vlan: 10)

    @Test func fileTextIsExact() {
        #expect(
            Self.vlanFile.text == """
                # Written by xenplan for a bridge it manages; rewritten by xenplan: edit the manifests, not this file.

                auto eth0.10
                iface eth0.10 inet manual

                auto xenbr10
                iface xenbr10 inet manual
                    bridge_ports eth0.10
                    bridge_stp off
                    bridge_fd 0

                """)
        #expect(BridgeFile(bridge: "hostonly", interface: nil).text.contains("    bridge_ports none\n"))
        #expect(BridgeFile.fileName(bridge: "br.lab") == "xenplan-br_lab")
        #expect(BridgeFile.bridge(fileName: "xenplan-br_lab") == "br.lab")
        #expect(BridgeFile.bridge(fileName: "eth0") == nil)
    }

    @Test func vlanBridgeCommands() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        try await h.driver.perform(.createBridge(name: "xenbr10", interface: "eth1", vlan: 10))
        #expect(
            h.runner.commands == [
                ["ip", "link", "add", "name", "xenbr10", "type", "bridge"],
                ["ip", "link", "set", "dev", "eth1", "up"],
                ["ip", "link", "add", "link", "eth1", "name", "eth1.10", "type", "vlan", "id", "10"],
                ["ip", "link", "set", "dev", "eth1.10", "master", "xenbr10"],
                ["ip", "link", "set", "dev", "eth1.10", "up"],
                ["ip", "link", "set", "dev", "xenbr10", "up"],
            ])
    }

    @Test func fileIsWrittenAtomicallyReadableByAllAndObserved() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let network = h.paths.networkDirectory
        try FileManager.default.createDirectory(atPath: network + "/if-pre-up.d", withIntermediateDirectories: true)
        try "source /etc/network/interfaces.d/*\n".write(toFile: network + "/interfaces", atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: network + "/if-pre-up.d/bridge", contents: Data())
        let old = umask(0o077)
        defer { umask(old) }
        try await h.driver.perform(.writeBridgeFile(Self.vlanFile))
        let path = network + "/interfaces.d/xenplan-xenbr10"
        #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.vlanFile.text)
        var st = stat()
        #expect(stat(path, &st) == 0 && st.st_mode & 0o777 == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: network + "/interfaces.d") == ["xenplan-xenbr10"])
        // Someone else's file in the same directory is neither read nor touched.
        try "auto eth9\n".write(toFile: network + "/interfaces.d/xenplan-xenbr9", atomically: true, encoding: .utf8)
        let state = try await h.driver.observe()
        #expect(
            state.persistence
                == BridgePersistence(
                    ifupdown: true, sourcesDirectory: true, bridgeUtils: true,
                    files: [ObservedBridgeFile(bridge: "xenbr10", text: Self.vlanFile.text)]))
        await #expect(throws: HostError.self) { try await h.driver.perform(.removeBridgeFile(bridge: "xenbr9")) }
        await #expect(throws: HostError.self) {
            try await h.driver.perform(.writeBridgeFile(BridgeFile(bridge: "xenbr9", interface: nil)))
        }
        #expect(try String(contentsOfFile: network + "/interfaces.d/xenplan-xenbr9", encoding: .utf8) == "auto eth9\n")
        try await h.driver.perform(.removeBridgeFile(bridge: "xenbr10"))
        #expect(!FileManager.default.fileExists(atPath: path))
        try await h.driver.perform(.removeBridgeFile(bridge: "xenbr10"))  // gone already: nothing to do
        #expect(h.runner.commands.allSatisfy { $0.first == "lvs" }, "files only: no process but the observation's lvs")
    }

    @Test func aHostWithoutIfupdownSaysSo() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let state = try await h.driver.observe()
        #expect(state.persistence == BridgePersistence(ifupdown: false, sourcesDirectory: false, bridgeUtils: false))
        #expect(state.persistence?.missing == "/etc/network/interfaces does not exist (ifupdown is not installed or not in use)")
    }

    @Test(arguments: [
        ("source /etc/network/interfaces.d/*", true),
        ("source-directory /etc/network/interfaces.d", true),
        ("source-directory interfaces.d", true),
        ("source interfaces.d/*", true),
        ("  source   /etc/network/interfaces.d/*  ", true),
        ("# source /etc/network/interfaces.d/*", false),
        ("source /etc/network/interfaces.d/eth0", false),
        ("auto lo\niface lo inet loopback", false),
    ])
    func interfacesFileSourcesTheDirectory(_ text: String, _ reads: Bool) {
        #expect(XenDriver.sourcesBridgeFiles(text, networkDirectory: "/etc/network") == reads)
    }

    @Test func vlanPortsAreReadFromTheKernelsList() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        try """
        VLAN Dev name\t | VLAN ID
        Name-Type: VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD
        bond0.20       | 20  | bond0
        eth1.30        | 30  | eth1

        """.write(toFile: h.paths.vlanConfig, atomically: true, encoding: .utf8)
        let sysfs = try SysfsTree(
            at: h.root.appendingPathComponent("sys2"), bridges: ["xenbr20": ["bond0.20"], "xenbr0": ["eth0"]], others: ["bond0", "eth1.30"])
        var paths = h.paths
        paths.sysClassNet = sysfs.classNet
        let driver = XenDriver(
            hostName: "cpt18", hypervisor: h.hypervisor, store: h.driver.store, runner: h.tools, deadlines: DriverHarness.deadlines,
            paths: paths, pollInterval: .milliseconds(50), clock: { DriverHarness.now })
        let bridges = try driver.observeBridges()
        #expect(
            bridges == [
                BridgeState(name: "xenbr0", interfaces: ["eth0"]),
                BridgeState(name: "xenbr20", interfaces: ["bond0.20"], vlans: [VlanPort(name: "bond0.20", parent: "bond0", id: 20)]),
            ])
        #expect(bridges[1].portMismatch(BridgeFile(bridge: "xenbr20", interface: "bond0", vlan: 20)) == nil)
        #expect(
            bridges[1].portMismatch(BridgeFile(bridge: "xenbr20", interface: "bond0", vlan: 21))
                == "bridge xenbr20 has ports bond0.20, declared bond0.21")
    }

    // MARK: Growth

    /// ns1 runs on san/ns1-root (domain 1, xvda2, devid 51714).
    static let ns1Sectors = "/local/domain/0/backend/vbd/1/51714/sectors"

    @Test func aGuestWithoutAConnectedFrontendIsNotWaitedFor() async throws {
        let h = try DriverHarness(pollInterval: .milliseconds(5))
        defer { h.cleanup() }
        try h.driver.store.write("/local/domain/0/backend/vbd/1/51714/state", "2")
        try await h.driver.perform(.growVolume(container: "san", name: "ns1-root", size: .gib(12)))
        #expect(h.runner.commands == [["lvextend", "-L", "12582912k", "san/ns1-root"]])
    }

    @Test func grownVolumeIsSeenByTheRunningGuest() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        // blkback wrote the new size (it notices the device's size by itself).
        try h.driver.store.write(Self.ns1Sectors, "25165824")
        try await h.driver.perform(.growVolume(container: "san", name: "ns1-root", size: .gib(12)))
        #expect(h.runner.commands == [["lvextend", "-L", "12582912k", "san/ns1-root"]])
    }

    @Test func aGuestNotToldTheNewSizeFailsTheOperation() async throws {
        let h = try DriverHarness(pollInterval: .milliseconds(5))
        defer { h.cleanup() }
        try h.driver.store.write(Self.ns1Sectors, "20971520")
        let error = await #expect(throws: HostError.self) {
            try await h.driver.perform(.growVolume(container: "san", name: "ns1-root", size: .gib(12)))
        }
        #expect(
            error?.message
                == "/dev/san/ns1-root grew to 12 GiB (25165824 sectors), but the backend of ns1's disk xvda2 still shows 20971520 sectors after 0.1 s: the guest was not told the new size; detach and attach the disk, or restart the guest"
        )
        #expect(error?.domain == "ns1")
    }

    @Test func aFileDiskHasItsLoopDeviceToldThenTheGuestIsChecked() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let dir = h.paths.imageDirectories[0]
        try await h.driver.perform(.createVolume(container: dir, name: "ns1-data", size: .gib(1)))
        let backend = "/local/domain/0/backend/vbd/1/51728"
        try h.driver.store.write(backend + "/params", dir + "/ns1-data.img")
        try h.driver.store.write(backend + "/dev", "xvdb")
        try h.driver.store.write(backend + "/mode", "w")
        try h.driver.store.write(backend + "/state", "4")
        try h.driver.store.write(backend + "/sectors", "4194304")
        h.runner.respond(to: ["losetup", "--noheadings"], with: CommandResult(status: 0, stdout: "/dev/loop3\n"))
        try await h.driver.perform(.growVolume(container: dir, name: "ns1-data", size: .gib(2)))
        #expect(
            h.runner.commands == [
                ["losetup", "--noheadings", "--output", "NAME", "--associated", dir + "/ns1-data.img"],
                ["losetup", "--set-capacity", "/dev/loop3"],
            ])
    }
}
