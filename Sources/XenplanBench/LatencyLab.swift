import FoundationEssentials
import HostModel
import Manifest
import Planner
import SimDriver
import XenplanBasics

/// A few simulated hosts that take time like real ones (create 2 s, migrate 3 s, every
/// other operation 0.2 s) and a change with real dependency chains: guests ballooned down
/// to make room for a guest migrated in, new guests created where one left, their volumes
/// first.
struct LatencyLab {
    static let hosts = ["lat0", "lat1", "lat2", "lat3"]
    static let latencies: [String: Double] = Dictionary(
        uniqueKeysWithValues: HostOperation.allKinds.map { ($0, $0 == "create" ? 2 : $0 == "migrate" ? 3 : 0.2) })
    /// Fast enough that a balloon wait is a fraction of the operations around it.
    static let balloonRate = ByteSize.gib(1)

    /// The lab as it was (`past: true`) or as it is wanted.
    static func manifests(past: Bool) -> [(String, String)] {
        var lab = "lab: latency\nformat: 1\n\ndefaults:\n  vcpus: 1\n  boot: pygrub\n\nstorage:\n"
        lab += "  san: {type: lvm, volumeGroup: san, hosts: [\(hosts.joined(separator: ", "))], shared: true}\n"
        var hostsText = "hosts:\n"
        for host in hosts {
            hostsText += "  \(host):\n    connection: sim\n    dom0: {memory: 1G, vcpus: 1}\n"
            hostsText += "    bridges: {xenbr0: {interface: eth0}}\n    sim: {memory: 8G, cpus: 8}\n"
        }
        var domains = "domains:\n"
        func domain(_ name: String, _ host: String, memory: String, maxmem: String, vcpus: Int = 1) {
            domains += "  \(name):\n    host: \(host)\n    memory: \(memory)\n    maxmem: \(maxmem)\n"
            domains += "    vcpus: \(vcpus)\n    maxvcpus: 2\n"
            domains += "    disks: [{name: root, size: 4G, vdev: xvda, pool: san}]\n    network: [{bridge: xenbr0}]\n"
        }
        for (i, host) in hosts.enumerated() {
            // The filler keeps each host nearly full, so that every move needs room made.
            domain("fill\(i)", host, memory: "1536M", maxmem: "1536M")
            // Three services each get a vCPU more, and on the hosts a guest leaves, more
            // memory: short independent actions, more at once than a host's slots.
            for k in 0..<3 {
                let grows = !past && i % 2 == 0
                domain("svc\(i)\(k)", host, memory: grows ? "768M" : "512M", maxmem: "1G", vcpus: past ? 1 : 2)
            }
            // Shrunk by 512 MiB, to make room for the guest that comes in.
            domain("balloon\(i)", host, memory: past ? "2G" : "1536M", maxmem: "4G")
            // Each host's mover goes to the next host; the first half only, so that moves
            // form chains rather than a cycle.
            let moves = i % 2 == 0
            domain("mover\(i)", moves && !past ? hosts[i + 1] : host, memory: "1G", maxmem: "2G")
            // Created where the mover left.
            if !past && moves { domain("new\(i)", host, memory: "1G", maxmem: "1G") }
        }
        return [("lab.yaml", lab), ("hosts.yaml", hostsText), ("domains.yaml", domains)]
    }

    /// Loads the manifests written in `directory`.
    static func load(_ files: [(String, String)], in directory: URL) throws -> Lab {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: directory.appendingPathComponent(name)) }
        do {
            return try ManifestLoader.load(directory: directory.path).lab
        } catch {
            throw BenchError.invalid(error.diagnostics.prefix(5).map(\.description).joined(separator: "\n"))
        }
    }

    /// The hosts with the past lab applied at once, each with the latencies above.
    static func hostFiles(past: Lab, now: Date) throws -> [String: SimHostFile] {
        var files: [String: SimHostFile] = [:]
        for host in past.hosts {
            var file = SimHostFile(
                machine: SimMachine(memory: host.simMemory!, cpus: host.simCpus!, dom0Memory: host.dom0Memory, dom0Vcpus: host.dom0Vcpus))
            for pool in past.pools(reachableFrom: host.name) {
                file.storage[pool.container] = SimHostFile.Container(type: .lvm, capacity: .gib(1024), shared: pool.shared)
            }
            file.balloonRatePerSecond = balloonRate
            files[host.name] = file
        }
        let observed = past.hosts.map { files[$0.name]!.hostState(name: $0.name, at: now) }
        let plan = try Planner.plan(lab: past, observed: observed)
        for action in plan.actions {
            for (host, operation) in action.steps {
                try files[host]!.apply(operation, host: host, now: now)
                // A volume of the shared pool is on every host.
                if case .createVolume = operation {
                    for other in files.keys where other != host { try files[other]!.apply(operation, host: other, now: now) }
                }
            }
        }
        for name in files.keys { files[name]!.latencies = latencies }
        return files
    }
}
