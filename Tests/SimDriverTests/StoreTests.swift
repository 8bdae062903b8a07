import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

@Suite struct StoreTests {
    @Test func writesAreAtomicAndPrivate() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try await driver.perform(.createBridge(name: "xenbr0", interface: "eth0"))
        #expect(fx.files() == ["cpt18.live.json", "cpt18.sim.lock"])
        let attributes = try FileManager.default.attributesOfItem(atPath: fx.store.liveURL("cpt18").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOf: fx.store.liveURL("cpt18"), encoding: .utf8)
        #expect(text.contains("\"bridges\" : {\n    \"xenbr0\" : [\n      \"eth0\"\n    ]\n  },"))
        #expect(text.hasSuffix("}\n"))
    }

    @Test func opensLiveThenSeedThenMachine() async throws {
        let fx = SimFixture()
        // No file, no machine: an error naming the host and the directory.
        let bare = fx.driver("cpt76", machine: nil)
        await #expect(throws: SimError("no simulated state for host cpt76 in \(fx.directory.path)")) {
            _ = try await bare.observe()
        }
        // A seed: used, and only read: the working copy is written by the first change.
        var seed = SimHostFile(machine: SimMachine(memory: .gib(16), cpus: 4, dom0Memory: .gib(1), dom0Vcpus: 1))
        seed.bridges["xenbr0"] = []
        try fx.store.write(seed, to: fx.store.seedURL("cpt76"))
        #expect(try await bare.observe().totalMemory == .gib(16))
        #expect(fx.files() == ["cpt76.sim.json"])
        // The working copy wins over the seed.
        try await bare.perform(.createBridge(name: "xenbr1", interface: nil))
        #expect(fx.files().contains("cpt76.live.json"))
        #expect(try await bare.observe().bridges.map(\.name) == ["xenbr0", "xenbr1"])
        #expect(try SimHostFile.decode(Data(contentsOf: fx.store.seedURL("cpt76"))) == seed)
        // A machine description only matters when there is no file at all.
        let described = fx.driver("cpt76", machine: SimFixture.machine)
        #expect(try await described.observe().totalMemory == .gib(16))
        // An empty machine: Domain-0 only.
        let empty = fx.driver("cpt99")
        #expect(try await empty.observe().domains.map(\.name) == ["Domain-0"])
    }

    @Test func unreadableFileNamesThePath() async throws {
        let fx = SimFixture()
        try Data("{\"machine\": 1}".utf8).write(to: fx.store.liveURL("cpt18"))
        let error = await thrown(SimError.self) { _ = try await fx.driver().observe() }
        #expect(error?.message.hasPrefix("cannot read simulated host file \(fx.store.liveURL("cpt18").path): machine:") == true)
    }

    @Test func hostNamesCannotLeaveTheDirectory() async throws {
        let fx = SimFixture()
        let error = await thrown(SimError.self) { _ = try await fx.driver("../etc").observe() }
        #expect(error == SimError("invalid simulated host name '../etc': use [a-z0-9][a-z0-9.-]{0,62}"))
    }

    @Test func concurrentPerformsLoseNoUpdate() async throws {
        let fx = SimFixture()
        let setup = fx.driver()
        try fx.prepare(setup)
        try await setup.perform(.createVolume(container: "vg18", name: "seed", size: .gib(1)))
        // Two drivers (as two processes would) creating volumes at the same time.
        let a = fx.driver(), b = fx.driver()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<20 {
                let driver = n.isMultiple(of: 2) ? a : b
                group.addTask { try await driver.perform(.createVolume(container: "vg18", name: "v\(n)", size: .mib(4))) }
            }
            try await group.waitForAll()
        }
        let volumes = try await setup.observe().volumes.filter { $0.container == "vg18" }
        #expect(volumes.count == 21)
        #expect(!fx.files().contains { $0.hasSuffix(".tmp") })
    }

    @Test func seedFilesCanBeBuiltFromCode() throws {
        var file = SimHostFile(machine: SimFixture.machine)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        for argv in [
            ["vgcreate", "vg18", "100G"], ["brctl", "addbr", "xenbr0", "eth0"],
            ["lvcreate", "vg18", "tmp-root", "2G"],
        ] {
            _ = try SimXl.run(argv, on: &file, host: "cpt18", now: now)
        }
        try file.apply(.writeConfig(SimFixture.config("ns1")), host: "cpt18", now: now)
        try file.apply(.create(domain: "ns1"), host: "cpt18", now: now)
        _ = try SimXl.run(
            ["create", "tmpbox", "memory=256M", "disk=xvda:/dev/vg18/tmp-root"], on: &file,
            host: "cpt18", now: now)
        let state = file.hostState(name: "cpt18", at: now)
        #expect(state.guests.map(\.name) == ["ns1", "tmpbox"])
        #expect(state.configs.map(\.name) == ["ns1"])
        #expect(try SimHostFile.decode(file.encoded()) == file)
    }
}
