import Foundation
import HostModel
import SimDriver
import XenplanBasics
import XenplanTestSupport

/// A temporary state directory with a manual clock; drivers run at speed 0 so that no
/// test ever sleeps.
final class SimFixture: @unchecked Sendable {
    let directory: URL
    let clock = ManualClock()

    /// 32 GiB, 8 CPUs, dom0 2 GiB: Xen keeps 512 MiB, so 30208 MiB are free for guests.
    static let machine = SimMachine(memory: .gib(32), cpus: 8, xenVersion: "4.17.7", dom0Memory: .gib(2), dom0Vcpus: 2)
    static let emptyFree = ByteSize.mib(30208)

    init() {
        directory = try! TemporaryDirectory.create("simtest")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func driver(_ host: String = "cpt18", machine: SimMachine? = SimFixture.machine) -> SimDriver {
        SimDriver(stateDirectory: directory, host: host, machine: machine, clock: clock, speed: 0)
    }

    func xl(_ host: String = "cpt18") -> SimXl { SimXl(stateDirectory: directory, host: host, clock: clock) }

    var store: SimStore { SimStore(directory: directory) }

    func files() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    static func config(
        _ name: String, memory: ByteSize = .mib(512), maxmem: ByteSize = .gib(1), vcpus: Int = 1,
        maxvcpus: Int = 2, disks: [DomainConfig.Disk] = [],
        bridges: [String] = ["xenbr0"]
    ) -> DomainConfig {
        DomainConfig(
            name: name, memory: memory, maxmem: maxmem, vcpus: vcpus, maxvcpus: maxvcpus, disks: disks,
            nics: bridges.map { DomainConfig.Nic(bridge: $0, mac: nil, ip: nil) })
    }

    /// A host with bridge xenbr0, a local VG `vg18` of 100 GiB and a shared VG `san`.
    func prepare(_ driver: SimDriver, localVG: String = "vg18") throws {
        try driver.edit { file in
            file.bridges["xenbr0"] = ["eth0"]
            file.storage[localVG] = SimHostFile.Container(type: .lvm, capacity: .gib(100))
            file.storage["san"] = SimHostFile.Container(type: .lvm, capacity: .gib(200), shared: true)
        }
    }

    /// Writes the config and creates the domain.
    func start(_ driver: SimDriver, _ config: DomainConfig) async throws {
        try await driver.perform(.writeConfig(config))
        try await driver.perform(.create(domain: config.name))
    }
}

/// The error `body` throws, for exact-message assertions.
func thrown<E: Error>(_ type: E.Type = HostError.self, _ body: () async throws -> Void) async -> E? {
    do {
        try await body()
        return nil
    } catch let error as E {
        return error
    } catch {
        return nil
    }
}
