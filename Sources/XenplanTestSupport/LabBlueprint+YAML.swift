/// The manifests of a blueprint, as a person would write them: the lab and its defaults
/// in one file, hosts, storage and groups in another, domains spread over several files
/// (`DomainBlueprint.file`) so that a whole file can go away.
extension LabBlueprint {
    public static let labName = "props"
    /// Domains that do not write `memory` get this from `defaults`.
    public static let defaultMemory = 128

    /// (file name, YAML text), in name order; a domains file with no domains is left out.
    public func manifestFiles() -> [(name: String, text: String)] {
        var files: [(String, String)] = [("hosts.yaml", hostsYAML())]
        files.append(
            (
                "lab.yaml",
                "lab: \(Self.labName)\nformat: 1\ndefaults:\n  memory: \(Self.defaultMemory)M\n  vcpus: 1\n"
                    + "images:\n  \(Self.imageName): {path: \(Self.imagePath), format: raw}\n"
                    + (backups.map { "backups: {pool: \($0.pool), keep: \($0.keep), consistency: \($0.consistency)}\n" } ?? "")
            ))
        for file in Set(domains.map(\.file)).sorted() {
            var text = "domains:\n"
            for d in domains.filter({ $0.file == file }).sorted(by: { $0.name < $1.name }) { text += Self.yaml(d) }
            files.append((file, text))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    /// Every file, each under a `# name` header: what a failing case prints.
    public func manifestText() -> String {
        manifestFiles().map { "# \($0.name)\n\($0.text)" }.joined(separator: "\n")
    }

    private func hostsYAML() -> String {
        var text = "hosts:\n"
        for h in hosts {
            text += "  \(h.name):\n    connection: sim\n"
            text += "    dom0: {memory: \(h.dom0Memory)M, vcpus: \(h.dom0Vcpus)}\n"
            text += "    bridges:\n"
            // xenbr1 is a VLAN bridge: VLAN interfaces and their ifupdown stanzas get
            // made, observed and written through every generated lab that has it.
            for b in h.bridges {
                switch b {
                case "xenbr0": text += "      xenbr0: {interface: eth0}\n"
                case "xenbr1": text += "      xenbr1: {interface: eth0, vlan: 10}\n"
                default: text += "      \(b):\n"
                }
            }
            text += "    limits: {vcpuRatio: \(h.vcpuRatio)}\n"
            text += "    sim: {memory: \(h.memory)M, cpus: \(h.cpus)}\n"
        }
        if !pools.isEmpty {
            text += "storage:\n"
            for p in pools {
                let kind: String
                switch p.kind {
                case let .lvm(vg): kind = "type: lvm, volumeGroup: \(vg)"
                case let .dir(path): kind = "type: dir, path: \(path)"
                }
                text += "  \(p.name): {\(kind), hosts: [\(p.hosts.joined(separator: ", "))]\(p.shared ? ", shared: true" : "")}\n"
            }
        }
        if !groups.isEmpty {
            text += "groups:\n"
            for g in groups {
                var keys: [String] = []
                if g.spread { keys.append("spread: true") }
                if let m = g.memory { keys.append("memory: \(m)M") }
                if let v = g.vcpus { keys.append("vcpus: \(v)") }
                text += "  \(g.name): {\(keys.joined(separator: ", "))}\n"
            }
        }
        return text
    }

    static func yaml(_ d: DomainBlueprint) -> String {
        var text = "  \(d.name):\n"
        if let host = d.host { text += "    host: \(host)\n" }
        if let group = d.group { text += "    group: \(group)\n" }
        if d.memory != defaultMemory || d.maxmem != d.memory { text += "    memory: \(d.memory)M\n" }
        if d.maxmem != d.memory { text += "    maxmem: \(d.maxmem)M\n" }
        if d.vcpus != 1 || d.maxvcpus != d.vcpus { text += "    vcpus: \(d.vcpus)\n" }
        if d.maxvcpus != d.vcpus { text += "    maxvcpus: \(d.maxvcpus)\n" }
        if let hvm = d.hvm {
            text += "    type: hvm\n"
            if hvm.uefi { text += "    firmware: uefi\n" }
            if hvm.cdrom { text += "    cdrom: {path: \(HvmBlueprint.cdromPath)}\n    bootOrder: [disk, cdrom]\n" }
        }
        if !d.disks.isEmpty {
            text += "    disks:\n"
            for disk in d.disks {
                text +=
                    "      - {name: \(disk.name), size: \(disk.size)M, vdev: \(disk.vdev)"
                    + (disk.pool.map { ", pool: \($0)" } ?? "") + (disk.image ? ", source: {image: \(imageName)}" : "") + "}\n"
            }
        }
        if !d.nics.isEmpty {
            text += "    network:\n"
            for nic in d.nics {
                text +=
                    "      - {bridge: \(nic.bridge)" + (nic.mac.map { ", mac: \"\($0)\"" } ?? "")
                    + (nic.ip.map { ", ip: \($0)" + (d.seeded ? ", prefix: 24" : "") } ?? "")
                    + (nic.rate.map { ", rate: \($0)" } ?? "") + (nic.vifname.map { ", vifname: \($0)" } ?? "") + "}\n"
            }
        }
        if d.seeded, let hostname = d.hostname { text += "    hostname: \(hostname)\n" }
        if d.seeded, d.nextBoot { text += "    identityChanges: next-boot\n" }
        if d.restartAllowed { text += "    restart: allowed\n" }
        if d.protect { text += "    protect: true\n" }
        if d.stopped { text += "    state: stopped\n" }
        if d.suspended { text += "    state: suspended\n" }
        if d.noBackups { text += "    backups: none\n" }
        return text
    }
}
