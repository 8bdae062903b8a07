import Foundation
import HostModel
import Testing
import XenplanBasics

@testable import XenDriver

@Suite struct ObservationTests {
    static let ns1 = DomainConfig(
        name: "ns1", memory: .mib(256), maxmem: .mib(512), vcpus: 1, maxvcpus: 2, cpuWeight: 512,
        disks: [.init(vdev: "xvda2", target: "/dev/san/ns1-root"), .init(vdev: "xvda1", target: "/dev/san/ns1-swap")],
        nics: [.init(bridge: "xenbr0", mac: "00:16:3e:78:20:10", ip: "139.124.7.10")],
        protect: true, manifestHash: "5872815b3c5492a8")

    @Test func oneBatchedPassGivesTheWholeHost() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        try await h.driver.perform(.writeConfig(Self.ns1))
        var ldap = Self.ns1
        ldap.name = "ldap"
        ldap.autostart = false
        try await h.driver.perform(.writeConfig(ldap))
        h.runner.reset()

        let state = try await h.driver.observe()

        // One lvs for the declared volume groups and nothing else: no ip, no xl.
        #expect(
            h.runner.commands == [
                [
                    "lvs", "--reportformat", "json", "--units", "k", "--nosuffix",
                    "-o", "lv_name,vg_name,lv_size,lv_tags", "san", "sys", "vg18",
                ]
            ])
        #expect(state.name == "cpt18")
        #expect(state.xenVersion == "4.17.3")
        #expect(state.cpus == 16)
        #expect(state.totalMemory == .gib(48))
        #expect(state.freeMemory == ByteSize(kib: 10_973_184 * 4))
        #expect(state.dom0Memory == .gib(4))
        #expect(state.domains.map(\.domid) == [0, 1, 2, 4, 6, 9, 11])

        let ns1 = try #require(state.domain(named: "ns1"))
        #expect(
            ns1
                == DomainState(
                    name: "ns1", domid: 1, uuid: "6f1c2a3e-5b7d-4e8f-9a01-23456789ab01", state: .blocked,
                    memoryTarget: .mib(256), memoryStaticMax: .mib(512), memoryActual: .mib(256), vcpusOnline: 1, maxVcpus: 2,
                    cpuWeight: 512, cpuCap: 0, type: "pv",
                    disks: [DiskState(vdev: "xvda1", target: "/dev/san/ns1-swap"), DiskState(vdev: "xvda2", target: "/dev/san/ns1-root")],
                    nics: [NicState(bridge: "xenbr0", mac: "00:16:3e:78:20:10", ip: "139.124.7.10")]))

        // Ballooning: the target is the request, the actual pages lag behind it.
        let ldapState = try #require(state.domain(named: "ldap"))
        #expect(ldapState.memoryTarget == .mib(512))
        #expect(ldapState.memoryActual == ByteSize(kib: 560_000))

        let www = try #require(state.domains.first { $0.domid == 4 })
        #expect(www.name == "www")
        #expect(www.transient == .migratedAway)
        #expect(www.state == .paused)
        #expect(www.maxVcpus == 4)

        let tmpbox = try #require(state.domain(named: "tmpbox"))
        #expect(tmpbox.cpuCap == 50)
        #expect(tmpbox.disks.last == DiskState(vdev: "xvdb", target: "/srv/xen-images/debian-12.iso", readOnly: true))
        #expect(state.config(named: "tmpbox") == nil, "tmpbox is unmanaged: no config file")

        let dying = state.domains.filter { $0.state == .dying }
        #expect(dying.map(\.name) == ["old-test", "domain-11"])
        #expect(dying.last?.memoryActual == ByteSize(kib: 48))

        #expect(state.configs.map(\.name) == ["ldap", "ns1"])
        #expect(state.config(named: "ns1") == Self.ns1)
        #expect(state.config(named: "ldap")?.autostart == false)

        #expect(
            state.bridges == [
                BridgeState(name: "xenbr0", interfaces: ["eth0"]), BridgeState(name: "xenbr1", interfaces: []),
                BridgeState(name: "xenbr2", interfaces: ["bond0"]),
            ])
        #expect(state.volumes.filter { $0.container == "san" }.map(\.name) == ["ldap-root", "ldap-swap", "ns1-root", "ns1-swap"])
        #expect(state.volume(container: "san", name: "ns1-root")?.size == .gib(5))
    }

    @Test func withoutVolumeGroupsNoProcessRunsAtAll() async throws {
        let h = try DriverHarness(volumeGroups: [])
        defer { h.cleanup() }
        let dir = h.paths.imageDirectories[0]
        try await h.driver.perform(.createVolume(container: dir, name: "tmpbox-root", size: .gib(2)))
        h.runner.reset()

        let state = try await h.driver.observe()

        #expect(h.runner.commands == [])
        #expect(state.volumes.map(\.container) == [dir], "volumes come only from the image directories")
        #expect(state.volumes.map(\.name) == ["tmpbox-root"])
        #expect(
            state.bridges == [
                BridgeState(name: "xenbr0", interfaces: ["eth0"]), BridgeState(name: "xenbr1", interfaces: []),
                BridgeState(name: "xenbr2", interfaces: ["bond0"]),
            ])
    }

    @Test func lvsReadsOnlyTheDeclaredVolumeGroups() async throws {
        let h = try DriverHarness(volumeGroups: ["vg0", "vg1"])
        defer { h.cleanup() }
        h.runner.respond(to: ["lvs"], with: CommandResult(status: 0, stdout: try Fixtures.text("lvs/no-volume-group.json")))

        let state = try await h.driver.observe()

        #expect(
            h.runner.commands == [
                [
                    "lvs", "--reportformat", "json", "--units", "k", "--nosuffix",
                    "-o", "lv_name,vg_name,lv_size,lv_tags", "vg0", "vg1",
                ]
            ])
        #expect(state.volumes == [])
    }

    @Test func aVolumeGroupThatCouldBeAnOptionIsRefused() async throws {
        let h = try DriverHarness(volumeGroups: ["vg0", "--config=x"])
        defer { h.cleanup() }
        await #expect { try await h.driver.observe() } throws: { error in
            (error as? HostError)?.message == "'--config=x' is not a volume group name"
        }
        #expect(h.runner.commands == [])
    }

    @Test func imageFilesOfDirPoolsAreVolumes() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let dir = h.paths.imageDirectories[0]
        try await h.driver.perform(.createVolume(container: dir, name: "tmpbox-root", size: .gib(2)))
        #expect(FileManager.default.createFile(atPath: dir + "/notes.txt", contents: Data("x".utf8)))
        let state = try await h.driver.observe()
        let images = state.volumes.filter { $0.container == dir }
        #expect(images.map(\.name) == ["tmpbox-root"])
        #expect(images.first?.size == .gib(2))
        // Marked as xenplan's where the filesystem keeps user attributes.
        #expect(images.first?.owned == XenDriver.isOwnedImage(dir + "/tmpbox-root.img"))
    }

    @Test func aFailingLvsIsAnErrorNamingTheHost() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        h.runner.respond(to: ["lvs"], with: CommandResult(status: 5, stderr: "  /dev/mapper/control: open failed: Permission denied\n"))
        await #expect { try await h.driver.observe() } throws: { error in
            let e = error as? HostError
            return e?.host == "cpt18" && e?.operation == "observe" && e?.message.contains("Permission denied") == true
        }
    }

    @Test func anEditedConfigFileIsReportedWithItsPath() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        try await h.driver.perform(.writeConfig(Self.ns1))
        let path = h.paths.configPath("ns1")
        try (try String(contentsOfFile: path, encoding: .utf8) + "memory = lots\n").write(toFile: path, atomically: true, encoding: .utf8)
        await #expect { try await h.driver.observe() } throws: { error in
            (error as? HostError)?.message.contains(path) == true
        }
    }

    @Test(arguments: [
        (RecordedHypervisor.running, UInt32(0), RunState.running),
        (RecordedHypervisor.blocked, 0, .blocked),
        (RecordedHypervisor.paused | RecordedHypervisor.blocked, 0, .paused),
        (RecordedHypervisor.shutdown, 0, .shutdown),
        (RecordedHypervisor.shutdown, 3, .crashed),
        (RecordedHypervisor.dying | RecordedHypervisor.shutdown, 3, .dying),
        (0, 0, .blocked),
    ])
    func runStateFromFlags(_ flags: UInt32, _ reason: UInt32, _ expected: RunState) {
        let raw = RecordedHypervisor.raw(
            domid: 3, flags: flags, totPages: 1, maxPages: 1, online: 1, maxVcpuID: 0,
            uuid: "00000000-0000-0000-0000-000000000003", shutdownReason: reason)
        #expect(XenDriver.runState(DomainInfo(raw)) == expected)
    }

    @Test func transientNames() {
        #expect(XenDriver.splitTransient("git--incoming") == ("git", .incoming))
        #expect(XenDriver.splitTransient("www--migratedaway") == ("www", .migratedAway))
        #expect(XenDriver.splitTransient("plain") == ("plain", nil))
        #expect(XenDriver.splitTransient("--incoming") == ("--incoming", nil))
    }
}
