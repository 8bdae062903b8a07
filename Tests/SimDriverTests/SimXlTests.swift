import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

@Suite struct SimXlTests {
    func host(_ fx: SimFixture) async throws -> SimDriver {
        let driver = fx.driver()
        try fx.prepare(driver)
        try await driver.perform(.createVolume(container: "vg18", name: "www-root", size: .gib(5)))
        try await fx.start(driver, SimFixture.config("www", disks: [.init(vdev: "xvda", target: "/dev/vg18/www-root")]))
        return driver
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        var argv: [String]
        var problem: String
        var testDescription: String { argv.joined(separator: " ") }
    }

    @Test(arguments: [
        BadInput(argv: [], problem: "missing command"),
        BadInput(argv: ["frobnicate", "www"], problem: "unknown command 'frobnicate'"),
        BadInput(argv: ["mem-set", "www"], problem: "'mem-set' takes 2 arguments (DOMAIN SIZE), got 1"),
        BadInput(argv: ["mem-set", "www", "lots"], problem: "'lots' is not a memory size (examples: 512M, 1G, 2048)"),
        BadInput(argv: ["vcpu-set", "www", "two"], problem: "'two' is not a vCPU count"),
        BadInput(argv: ["sched-credit", "-w", "256"], problem: "'sched-credit' needs -d DOMAIN"),
        BadInput(argv: ["sched-credit", "-d", "www", "-x", "1"], problem: "unknown sched-credit option '-x'"),
        BadInput(argv: ["sched-credit", "-d"], problem: "'-d' needs a value"),
        BadInput(argv: ["create"], problem: "'create' needs a domain name"),
        BadInput(argv: ["create", "tmp", "vcpus=1"], problem: "'create' needs memory=SIZE"),
        BadInput(argv: ["create", "tmp", "memory"], problem: "'memory' is not KEY=VALUE"),
        BadInput(argv: ["create", "tmp", "memroy=1G"], problem: "unknown create key 'memroy'"),
        BadInput(argv: ["create", "tmp", "memory=2G", "maxmem=1G"], problem: "memory 2 GiB is above maxmem 1 GiB"),
        BadInput(
            argv: ["create", "tmp", "memory=1G", "vcpus=3", "maxvcpus=2"],
            problem: "vcpus must be between 1 and maxvcpus (2)"),
        BadInput(argv: ["create", "tmp", "memory=1G", "disk=xvda"], problem: "disk 'xvda' is not VDEV:/PATH[:ro]"),
        BadInput(argv: ["create", "tmp", "memory=1G", "vif=mac=00:16:3e:00:00:01"], problem: "vif needs bridge=BRIDGE"),
        BadInput(argv: ["create", "tmp", "memory=1G", "balloon=maybe"], problem: "balloon must be yes or no, not 'maybe'"),
        BadInput(argv: ["lvremove", "www-root"], problem: "'www-root' is not CONTAINER/NAME"),
        BadInput(argv: ["lvcreate", "vg18", "../x", "1G"], problem: "'../x' is not a volume name"),
        BadInput(
            argv: ["set-latency", "reboot", "3"],
            problem: "unknown operation kind 'reboot'; one of: \(HostOperation.allKinds.joined(separator: ", "))"),
        BadInput(argv: ["set-latency", "create", "-1"], problem: "'-1' is not a number of seconds"),
        BadInput(argv: ["brctl", "delbr", "xenbr0"], problem: "'brctl' takes addbr BRIDGE [INTERFACE]"),
    ])
    func badInputNamesTheProblemAndTheUsage(_ c: BadInput) async throws {
        let fx = SimFixture()
        let driver = try await host(fx)
        let before = try driver.file()
        let error = await thrown(SimXlError.self) { _ = try fx.xl().run(c.argv) }
        #expect(error?.problem == c.problem)
        #expect(error?.description == c.problem + "\n" + SimXl.usage)
        #expect(try driver.file() == before)
    }

    @Test func outOfBandChanges() async throws {
        let fx = SimFixture()
        let driver = try await host(fx)
        let xl = fx.xl()
        #expect(try xl.run(["mem-set", "www", "768"]) == "www: memory target set to 768 MiB")
        #expect(try xl.run(["vcpu-set", "www", "2"]) == "www: 2 vCPUs online")
        #expect(try xl.run(["sched-credit", "-d", "www", "-w", "512"]) == "www: scheduler parameters set")
        var www = try #require(try await driver.observe().domain(named: "www"))
        #expect(www.memoryTarget == .mib(768))
        #expect(www.vcpusOnline == 2)
        #expect(www.cpuWeight == 512)
        #expect(www.cpuCap == 0)

        #expect(try xl.run(["crash", "www"]) == "www: crashed")
        www = try #require(try await driver.observe().domain(named: "www"))
        #expect(www.state == .crashed)
        #expect(try xl.run(["rm-config", "www"]) == "www: configuration removed; the domain is unmanaged now")
        #expect(try await driver.observe().configs.isEmpty)
        #expect(try xl.run(["destroy", "1"]) == "1: destroyed")
        #expect(try await driver.observe().guests.isEmpty)
        #expect(try xl.run(["lvremove", "vg18/www-root"]) == "volume vg18/www-root removed")
        #expect(try xl.run(["lvcreate", "vg18", "scratch", "1G"]) == "volume vg18/scratch created (1 GiB)")
        #expect(try await driver.observe().volumes.map(\.name) == ["scratch"])
        #expect(try xl.run(["set-latency", "create", "2.5"]) == "latency of create set to 2.5 s")
        #expect(try driver.file().latencies == ["create": 2.5])
    }

    @Test func createMakesAnUnmanagedDomain() async throws {
        let fx = SimFixture()
        let driver = try await host(fx)
        try await driver.perform(.createVolume(container: "vg18", name: "tmp-root", size: .gib(2)))
        let message = try fx.xl().run([
            "create", "tmpbox", "memory=512M", "maxmem=1G", "vcpus=1", "maxvcpus=2", "bridge=xenbr0",
            "vif=bridge=xenbr0,mac=00:16:3e:aa:bb:cc,ip=10.1.2.3", "disk=xvda:/dev/vg18/tmp-root:ro", "balloon=no",
        ])
        #expect(message == "tmpbox: created (unmanaged)")
        let state = try await driver.observe()
        let tmp = try #require(state.domain(named: "tmpbox"))
        #expect(state.config(named: "tmpbox") == nil)
        #expect(tmp.domid == 2)
        #expect(tmp.memoryTarget == .mib(512))
        #expect(tmp.memoryStaticMax == .gib(1))
        #expect(tmp.maxVcpus == 2)
        #expect(tmp.disks == [DiskState(vdev: "xvda", target: "/dev/vg18/tmp-root", readOnly: true)])
        #expect(tmp.nics.count == 2)
        #expect(tmp.nics[0].mac.hasPrefix("00:16:3e:"))
        #expect(tmp.nics[1] == NicState(bridge: "xenbr0", mac: "00:16:3e:aa:bb:cc", ip: "10.1.2.3"))
        #expect(try driver.file().domains.last?.balloonDriver == false)
    }

    @Test func refusalsUseXlWords() async throws {
        let fx = SimFixture()
        _ = try await host(fx)
        let xl = fx.xl()
        let memory = await thrown { _ = try xl.run(["mem-set", "www", "2G"]) }
        #expect(
            memory
                == HostError(
                    host: "cpt18", operation: "mem-set", domain: "www",
                    message: "Domain 1:memory_dynamic_max must be less than or equal to memory_static_max"))
        let unknown = await thrown { _ = try xl.run(["crash", "nope"]) }
        #expect(unknown?.message == "nope is an invalid domain identifier (rc=-6)")
        let full = await thrown { _ = try xl.run(["lvcreate", "vg18", "huge", "200G"]) }
        #expect(full?.message == "Volume group \"vg18\" has insufficient free space (24320 extents): 51200 required.")
        let inUse = await thrown { _ = try xl.run(["lvremove", "vg18/www-root"]) }
        #expect(inUse?.message == "Logical volume vg18/www-root in use.")
    }

    @Test func personShutdownOfAGuestThatIgnoresIt() async throws {
        let fx = SimFixture()
        let driver = try await host(fx)
        _ = try fx.xl().run(["ignore-shutdown", "www"])
        #expect(try fx.xl().run(["shutdown", "www"]) == "www: shutdown requested, but the guest ignores it")
        #expect(try await driver.observe().domain(named: "www") != nil)
    }

    @Test func hostWithoutStateIsAnError() async throws {
        let fx = SimFixture()
        let error = await thrown(SimError.self) { _ = try fx.xl("cpt50").run(["vcpu-set", "www", "1"]) }
        #expect(error == SimError("no simulated state for host cpt50 in \(fx.directory.path)"))
    }
}
