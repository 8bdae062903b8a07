import Foundation
import HostModel
import Manifest
import Planner
import SimDriver
import XenplanBasics

/// A lab of `hosts` dom0s and `domains` guests spread evenly over them.
struct SyntheticLab {
    var hosts: Int
    var domains: Int
    /// Domains per manifest file, to keep each file a realistic size.
    static let domainsPerFile = 500

    func hostName(_ i: Int) -> String { String(format: "xen%03d", i) }
    func domainName(_ i: Int) -> String { String(format: "vm%05d", i) }
    func hostOf(_ i: Int) -> Int { i % hosts }

    /// Guests per host decide each host's size, so that every lab is feasible.
    var perHost: Int { (domains + hosts - 1) / hosts }

    func manifestFiles() -> [(String, String)] {
        var files: [(String, String)] = []
        var lab = "lab: bench\nformat: 1\n\ndefaults:\n  memory: 256M\n  vcpus: 1\n  boot: pygrub\n\nstorage:\n"
        for h in 0..<hosts {
            lab += "  \(hostName(h))-local: {type: lvm, volumeGroup: vg\(h), hosts: [\(hostName(h))]}\n"
        }
        files.append(("lab.yaml", lab))

        let memoryGiB = max(8, perHost / 2 + 4)
        let cpus = max(4, perHost / 4 + 1)
        var hostsText = "hosts:\n"
        for h in 0..<hosts {
            hostsText += """
                  \(hostName(h)):
                    connection: sim
                    dom0: {memory: 2G, vcpus: 2}
                    bridges: {xenbr0: {interface: eth0}}
                    sim: {memory: \(memoryGiB)G, cpus: \(cpus)}

                """
        }
        files.append(("hosts.yaml", hostsText))

        var index = 0
        var fileNumber = 0
        while index < domains {
            var text = "domains:\n"
            for i in index..<min(domains, index + Self.domainsPerFile) {
                let mac = String(format: "00:16:3e:%02x:%02x:%02x", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff)
                let ip = "10.\((i >> 16) & 0xff).\((i >> 8) & 0xff).\(i & 0xff)"
                let memory = i % 3 == 0 ? "512M" : "256M"
                text += """
                      \(domainName(i)):
                        host: \(hostName(hostOf(i)))
                        memory: \(memory)
                        maxmem: 1G
                        maxvcpus: 2
                        disks: [{name: root, size: 8G, vdev: xvda}]
                        network: [{bridge: xenbr0, ip: \(ip), mac: "\(mac)"}]

                    """
            }
            files.append((String(format: "domains-%03d.yaml", fileNumber), text))
            fileNumber += 1
            index += Self.domainsPerFile
        }
        return files
    }

    /// The hosts as the lab left them some time ago, then changed by hand: every 10th
    /// domain is missing, every 7th was ballooned down, every 13th has a vCPU more, and
    /// each host runs one unmanaged guest.
    func midLifeHosts(lab: Lab) throws -> [String: SimHostFile] {
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        var past = lab
        past.domains = lab.domains.filter { Int($0.name.dropFirst(2))! % 10 != 0 }
        var files: [String: SimHostFile] = [:]
        for host in lab.hosts {
            var file = SimHostFile(
                machine: SimMachine(memory: host.simMemory!, cpus: host.simCpus!, dom0Memory: host.dom0Memory, dom0Vcpus: host.dom0Vcpus))
            for pool in lab.pools(reachableFrom: host.name) {
                file.storage[pool.container] = SimHostFile.Container(type: .lvm, capacity: .gib(1 << 20))
            }
            files[host.name] = file
        }
        let observed = lab.hosts.map { files[$0.name]!.hostState(name: $0.name, at: now) }
        let plan = try Planner.plan(lab: past, observed: observed)
        for action in plan.actions {
            for (host, operation) in action.steps { try files[host]!.apply(operation, host: host, now: now) }
        }
        for (name, var file) in files {
            for index in file.domains.indices {
                let number = Int(file.domains[index].name.dropFirst(2)) ?? 1
                if number % 7 == 0 { file.domains[index].memoryTarget = .mib(128); file.domains[index].memoryActual = .mib(128) }
                if number % 13 == 0 { file.domains[index].vcpusOnline = 2 }
            }
            _ = try SimXl.run(["create", "scratch-\(name)", "memory=256M", "vcpus=1"], on: &file, host: name, now: now)
            files[name] = file
        }
        return files
    }
}
