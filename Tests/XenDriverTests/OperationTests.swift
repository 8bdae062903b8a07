import CXen
import Foundation
import HostModel
import Testing
import XenplanBasics

@testable import XenDriver

@Suite struct OperationTests {
    static let disk = DomainConfig.Disk(vdev: "xvdb", target: "/dev/san/git-repos")
    static let nic = DomainConfig.Nic(bridge: "xenbr0", mac: "00:16:3e:78:20:22", ip: "139.124.7.21")

    /// Every operation that runs a tool, with the exact argument vectors a dom0 sees.
    static let cases: [(HostOperation, [[String]])] = [
        (
            .createBridge(name: "xenbr1", interface: "eth1"),
            [
                ["ip", "link", "add", "name", "xenbr1", "type", "bridge"],
                ["ip", "link", "set", "dev", "eth1", "master", "xenbr1"],
                ["ip", "link", "set", "dev", "eth1", "up"],
                ["ip", "link", "set", "dev", "xenbr1", "up"],
            ]
        ),
        (
            .createBridge(name: "hostonly", interface: nil),
            [
                ["ip", "link", "add", "name", "hostonly", "type", "bridge"],
                ["ip", "link", "set", "dev", "hostonly", "up"],
            ]
        ),
        (
            .createVolume(container: "vg18", name: "conf-web-root", size: .gib(8)),
            [["lvcreate", "-y", "--wipesignatures", "y", "--addtag", "xenplan", "-L", "8388608k", "-n", "conf-web-root", "vg18"]]
        ),
        (.growVolume(container: "san", name: "git-repos", size: .gib(60)), [["lvextend", "-L", "62914560k", "san/git-repos"]]),
        (.removeVolume(container: "vg18", name: "old-test-root"), [["lvremove", "-f", "vg18/old-test-root"]]),
        (.setMemory(domain: "ldap", target: .mib(512)), [["xl", "mem-set", "ldap", "512m"]]),
        (.setMemory(domain: "ldap", target: ByteSize(kib: 524_292)), [["xl", "mem-set", "ldap", "524292k"]]),
        (.setVcpus(domain: "nagios", count: 2), [["xl", "vcpu-set", "nagios", "2"]]),
        (.setScheduler(domain: "ns1", weight: 512, cap: 50), [["xl", "sched-credit", "-d", "ns1", "-w", "512", "-c", "50"]]),
        (
            .attachDisk(domain: "git", disk: disk),
            [["xl", "block-attach", "git", "format=raw", "vdev=xvdb", "access=rw", "target=/dev/san/git-repos"]]
        ),
        (.detachDisk(domain: "git", vdev: "xvdb"), [["xl", "block-detach", "git", "xvdb"]]),
        (
            .attachNic(domain: "git", nic: nic),
            [["xl", "network-attach", "git", "bridge=xenbr0", "mac=00:16:3e:78:20:22", "ip=139.124.7.21"]]
        ),
        (.attachNic(domain: "git", nic: .init(bridge: "xenbr0", mac: nil, ip: nil)), [["xl", "network-attach", "git", "bridge=xenbr0"]]),
        (
            .attachNic(domain: "git", nic: .init(bridge: "xenbr0", mac: nil, ip: nil, rate: "10Mb/s", vifname: "git-lan")),
            [["xl", "network-attach", "git", "bridge=xenbr0", "rate=10Mb/s", "vifname=git-lan"]]
        ),
        (.detachNic(domain: "git", mac: "00:16:3e:78:20:22"), [["xl", "network-detach", "git", "00:16:3e:78:20:22"]]),
        (.migrate(domain: "git", toHost: "cpt76"), [["xl", "migrate", "git", "cpt76"]]),
        (.destroy(domain: "old-test"), [["xl", "destroy", "old-test"]]),
    ]

    @Test(arguments: cases.indices)
    func argumentVectors(_ i: Int) async throws {
        let (operation, expected) = Self.cases[i]
        let h = try DriverHarness()
        defer { h.cleanup() }
        try await h.driver.perform(operation)
        #expect(h.runner.commands == expected)
        #expect(h.runner.invocations.allSatisfy { $0.stdin == nil })
    }

    @Test func createRunsXlOnTheOwnedConfig() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        try await h.driver.perform(.create(domain: "conf-web"))
        #expect(h.runner.commands == [["xl", "create", h.paths.configDirectory + "/conf-web.cfg"]])
    }

    @Test func creditTwoHostsGetSchedCredit2() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        h.hypervisor.sched = .credit2
        try await h.driver.perform(.setScheduler(domain: "ns1", weight: 512, cap: 0))
        #expect(h.runner.commands == [["xl", "sched-credit2", "-d", "ns1", "-w", "512", "-c", "0"]])
    }

    /// Names that a tool would read as options, or that are not names at all, never reach it.
    @Test(arguments: [
        HostOperation.setMemory(domain: "--help", target: .mib(512)),
        .setVcpus(domain: "a b", count: 2),
        .migrate(domain: "git", toHost: "-oProxyCommand=sh"),
        .createVolume(container: "-vg", name: "x", size: .gib(1)),
        .createVolume(container: "vg18", name: "x/../../y", size: .gib(1)),
        .createBridge(name: "-br", interface: nil),
        .attachDisk(domain: "git", disk: .init(vdev: "xvdb", target: "/dev/san/x,script=/tmp/evil")),
        .detachNic(domain: "git", mac: "zz"),
        .attachNic(domain: "git", nic: .init(bridge: "xenbr0", mac: nil, ip: nil, rate: "10Mb/s,script=/tmp/evil")),
        .attachNic(domain: "git", nic: .init(bridge: "xenbr0", mac: nil, ip: nil, vifname: "vif3.0")),
    ])
    func invalidValuesAreRefusedBeforeAnythingRuns(_ operation: HostOperation) async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        await #expect(throws: HostError.self) { try await h.driver.perform(operation) }
        #expect(h.runner.commands.isEmpty)
    }

    @Test func aFailingToolsMessageReachesTheUser() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        h.runner.respond(
            to: ["xl", "mem-set"],
            with: CommandResult(
                status: 1,
                stderr:
                    "libxl: error: libxl_mem.c:283:libxl_set_memory_target: Domain 2:memory_dynamic_max must be less than or equal to memory_static_max\n"
            ))
        await #expect { try await h.driver.perform(.setMemory(domain: "ldap", target: .gib(4))) } throws: { error in
            guard let e = error as? HostError else { return false }
            return e.host == "cpt18" && e.domain == "ldap" && e.operation == "mem-set"
                && e.message.contains("memory_dynamic_max must be less than or equal to memory_static_max")
                && e.description.hasPrefix("host cpt18: mem-set of domain ldap failed: `xl mem-set ldap 4096m` exited with status 1")
        }
    }

    // MARK: Files

    @Test func configIsWrittenAtomically0600WithItsAutoLink() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let config = ExampleLab.configs[0]
        try await h.driver.perform(.writeConfig(config))
        let path = h.paths.configPath("ns1")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == (try XlConfig.render(config)))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: h.paths.autoLink("ns1")) == path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.paths.configDirectory) == ["ns1.cfg"], "no temporary left")
        #expect(h.runner.commands.isEmpty)

        var stopped = config
        stopped.autostart = false
        try await h.driver.perform(.writeConfig(stopped))
        #expect(!FileManager.default.fileExists(atPath: h.paths.autoLink("ns1")))

        try await h.driver.perform(.writeConfig(config))
        try await h.driver.perform(.removeConfig(name: "ns1"))
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: h.paths.autoLink("ns1"))) == nil)
    }

    @Test func imageFilesAreSparseCreatedOnceAndOnlyGrow() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let dir = h.paths.imageDirectories[0]
        try await h.driver.perform(.createVolume(container: dir, name: "tmpbox-root", size: .gib(10)))
        let path = dir + "/tmpbox-root.img"
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_size == 10 << 30)
        #expect(st.st_blocks == 0, "sparse: no block written")
        #expect(st.st_mode & 0o777 == 0o600)
        // Never over an existing file: it may be another guest's disk.
        await #expect(throws: HostError.self) { try await h.driver.perform(.createVolume(container: dir, name: "tmpbox-root", size: .gib(1))) }
        try await h.driver.perform(.growVolume(container: dir, name: "tmpbox-root", size: .gib(12)))
        #expect(stat(path, &st) == 0 && st.st_size == 12 << 30)
        await #expect(throws: HostError.self) { try await h.driver.perform(.growVolume(container: dir, name: "tmpbox-root", size: .gib(2))) }
        try await h.driver.perform(.removeVolume(container: dir, name: "tmpbox-root"))
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(h.runner.commands.isEmpty, "no process for image files")
    }

    // MARK: Shutdown

    @Test func shutdownWaitsForReleaseDomainThenStops() async throws {
        // Polling alone would take ten minutes: finishing well before proves the watch woke it,
        // with a margin no loaded machine comes near.
        let h = try DriverHarness(pollInterval: .seconds(600))
        defer { h.cleanup() }
        let clock = ContinuousClock()
        let start = clock.now
        async let done: Void = h.driver.perform(.shutdown(domain: "ns1", timeoutSeconds: 300))
        // The guest powers off: the hypervisor drops it and xenstored fires @releaseDomain.
        try await Task.sleep(for: .milliseconds(300))
        h.hypervisor.update { $0.removeAll { $0.domain == 1 } }
        h.server.releaseDomain()
        try await done
        #expect(clock.now - start < .seconds(300), "woken by the watch, not by polling")
        #expect(h.runner.commands == [["xl", "shutdown", "ns1"]])
    }

    @Test func shutdownDestroysAfterTheTimeout() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        try await h.driver.perform(.shutdown(domain: "ns1", timeoutSeconds: 1))
        #expect(h.runner.commands == [["xl", "shutdown", "ns1"], ["xl", "destroy", "ns1"]])
    }

    /// ns1 (domain 1) as Xen lists a guest that powered off and was not reaped yet.
    static func powerOff(_ h: DriverHarness) {
        h.hypervisor.update { infos in
            for i in infos.indices where infos[i].domain == 1 { infos[i].flags = cxen_dominf_shutdown }
        }
    }

    /// A guest that powered off is listed until xl's own process reaps it; the action ends
    /// only once Xen drops it, so that a restore over its volumes finds them free.
    @Test func aPoweredOffGuestIsWaitedForUntilXenDropsIt() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        async let done: Void = h.driver.perform(.shutdown(domain: "ns1", timeoutSeconds: 300))
        try await Task.sleep(for: .milliseconds(200))
        Self.powerOff(h)
        h.server.releaseDomain()
        try await Task.sleep(for: .milliseconds(300))
        h.hypervisor.update { $0.removeAll { $0.domain == 1 } }
        h.server.releaseDomain()
        try await done
        #expect(h.runner.commands == [["xl", "shutdown", "ns1"]])
    }

    /// Powered off but never reaped (no xl process watches it any more): destroyed, once.
    @Test func aPoweredOffGuestNobodyReapsIsDestroyed() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        Self.powerOff(h)
        try await h.driver.perform(.shutdown(domain: "ns1", timeoutSeconds: 300))
        #expect(h.runner.commands == [["xl", "shutdown", "ns1"], ["xl", "destroy", "ns1"]])
    }

    /// A destroy of a powered-off guest that fails while Xen still lists it (and is not
    /// tearing it down) fails the shutdown with xl's words: its disks are still held.
    @Test func aFailedDestroyOfAGuestStillListedFailsTheShutdown() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        h.runner.respond(to: ["xl", "destroy"], with: CommandResult(status: 1, stderr: "destroy failed (rc=-15)"))
        Self.powerOff(h)
        await #expect(throws: HostError.self) { try await h.driver.perform(.shutdown(domain: "ns1", timeoutSeconds: 300)) }
        #expect(h.runner.commands == [["xl", "shutdown", "ns1"], ["xl", "destroy", "ns1"]])
    }

    @Test func shutdownOfAnAbsentDomainDoesNothing() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        try await h.driver.perform(.shutdown(domain: "nosuch", timeoutSeconds: 1))
        #expect(h.runner.commands.isEmpty)
    }
}
