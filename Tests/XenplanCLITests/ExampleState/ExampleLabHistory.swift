import Foundation
import HostModel
import Manifest
import Planner
import XenplanBasics

@testable import SimDriver
@testable import XenplanCLI

/// How the committed `state/` came to be: the example lab as it was some months ago,
/// converged on empty simulated hosts, then changed by hand. Writing the history as
/// code keeps the seeds reproducible and says why each difference exists.
///
/// Against today's `examples/lab`, the result plans: two domains to create (conf-web,
/// teach3), a memory change (ldap, ballooned down by hand), a vCPU change (nagios), a
/// migration (git, moved to cpt76 in the manifests), a destroy (old-test, no longer
/// declared), a pending restart (www, maxmem raised in the manifests), and reports one
/// unmanaged domain (tmpbox, started by hand with `xl create`).
enum ExampleLabHistory {
    /// A fixed moment, so that the seeds do not change from one generation to the next.
    static let moment = Date(timeIntervalSince1970: 1_780_000_000)

    /// The example lab as it was before the latest manifest changes.
    static func pastLab(from lab: Lab) -> Lab {
        var domains = lab.domains.filter { $0.name != "conf-web" && $0.name != "teach3" }
        for index in domains.indices {
            switch domains[index].name {
            case "git": domains[index].host = "cpt18"
            case "www": domains[index].maxmem = .gib(1)
            case "nagios": domains[index].vcpus = 1
            default: break
            }
        }
        var oldTest = DomainSpec(name: "old-test", host: "cpt18", memory: .mib(512), vcpus: 1)
        oldTest.disks = [DiskSpec(name: "root", size: .gib(8), vdev: "xvda2", pool: "cpt18-local")]
        oldTest.network = [NicSpec(bridge: "xenbr0", ip: "139.124.7.90", mac: "00:16:3e:78:20:90")]
        domains.append(oldTest)
        return Lab(
            name: lab.name, format: lab.format, pools: lab.pools, hosts: lab.hosts, groups: lab.groups,
            domains: domains, files: lab.files, contentHash: lab.contentHash)
    }

    /// Builds the mid-life hosts in `directory` (as `*.live.json`) and returns the seed
    /// files' contents by host name.
    static func generate(in directory: URL) async throws -> [String: Data] {
        let lab = try ManifestLoader.load(directory: Repository.path("examples/lab")).lab
        let past = pastLab(from: lab)
        let store = SimStore(directory: directory)
        let clock = ManualClock(moment)
        var drivers: [String: SimDriver] = [:]
        for host in lab.hosts {
            guard let file = HostConnector.emptySimHost(for: host, in: lab) else { continue }
            try store.write(file, to: store.liveURL(host.name))
            drivers[host.name] = SimDriver(stateDirectory: directory, host: host.name, clock: clock, speed: 0)
        }

        // Months ago: the lab as then declared, converged.
        var observed: [HostState] = []
        for name in drivers.keys.sorted() { observed.append(try await drivers[name]!.observe()) }
        let plan = try Planner.plan(lab: past, observed: observed)
        for action in plan.actions {
            for operation in action.operations { try await drivers[action.host]!.perform(operation) }
        }

        // Since then, by hand: ldap ballooned down, a scratch guest started on cpt76.
        _ = try SimXl(stateDirectory: directory, host: "cpt18", clock: clock).run(["mem-set", "ldap", "256M"])
        _ = try SimXl(stateDirectory: directory, host: "cpt76", clock: clock).run([
            "create", "tmpbox", "memory=512M", "vcpus=1", "vif=bridge=xenbr0,mac=00:16:3e:78:20:99",
        ])
        clock.advance(by: 3600)
        for driver in drivers.values { _ = try await driver.observe() }

        var seeds: [String: Data] = [:]
        for name in drivers.keys.sorted() {
            // Settle ballooning at the fixed moment so the seed holds no pending change.
            try drivers[name]!.edit { file in
                for index in file.domains.indices { file.domains[index].settleBalloon(at: clock.now(), rate: file.balloonRatePerSecond) }
            }
            seeds[name] = try Data(contentsOf: store.liveURL(name))
        }
        return seeds
    }
}
