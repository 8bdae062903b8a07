import HostModel
import Manifest
import XenplanBasics

/// The YAML `xenplan import` prints: one `domains:` section, every value explicit so
/// that the lab's `defaults:` cannot change what was imported.
struct ImportedManifest {
    var host: HostState
    var lab: Lab

    /// Guests worth declaring: not dom0, not the receiving half of a migration, not dying;
    /// plus configurations xenplan owns whose domain is not running (declared stopped).
    func render() -> String {
        let running = host.guests.filter { $0.transient != .incoming && $0.state != .dying }
        var names = Set<String>()
        var blocks: [String] = []
        var skipped: [String] = []
        for domain in running.sorted(by: { $0.name < $1.name }) where names.insert(domain.name).inserted {
            guard Self.isName(domain.name) else { skipped.append(domain.name); continue }
            blocks.append(block(for: domain, config: host.config(named: domain.name)))
        }
        for config in host.configs.sorted(by: { $0.name < $1.name }) where !names.contains(config.name) {
            guard Self.isName(config.name) else { skipped.append(config.name); continue }
            blocks.append(block(stopped: config))
        }
        var out = "# Domains of host \(host.name) (Xen \(host.xenVersion)), printed by `xenplan import`.\n"
        out += "# Put this file next to the manifests that declare host \(host.name), then run `xenplan plan`.\n"
        for name in skipped { out += "# skipped \(yamlComment(name)): not a valid manifest name ([a-z0-9][a-z0-9.-]*)\n" }
        out += blocks.isEmpty ? "domains: {}\n" : "domains:\n" + blocks.joined(separator: "\n")
        return out
    }

    private func block(for d: DomainState, config: DomainConfig?) -> String {
        var lines = ["  \(d.name):", "    host: \(host.name)"]
        lines.append("    memory: \(Self.size(d.memoryTarget))")
        lines.append("    maxmem: \(Self.size(max(d.memoryStaticMax, d.memoryTarget)))")
        lines.append("    vcpus: \(max(1, d.vcpusOnline))")
        lines.append("    maxvcpus: \(max(d.maxVcpus, d.vcpusOnline, 1))")
        lines.append("    cpu: {weight: \(d.cpuWeight), cap: \(d.cpuCap)}")
        if d.type != "pv" { lines.append("    type: \(d.type)") }
        lines.append(contentsOf: boot(type: d.type, config: config))
        lines.append(contentsOf: disks(d.disks.map { DomainConfig.Disk(vdev: $0.vdev, target: $0.target, readOnly: $0.readOnly) }, of: d.name))
        // An interface's rate and dom0 name are only in the configuration.
        lines.append(
            contentsOf: network(
                d.nics.map { n in
                    let own = config?.nics.first { $0.mac?.lowercased() == n.mac.lowercased() }
                    return DomainConfig.Nic(bridge: n.bridge, mac: n.mac, ip: n.ip, rate: own?.rate, vifname: own?.vifname)
                }))
        if config?.protect == true { lines.append("    protect: true") }
        if !d.state.isUp { lines.append("    state: stopped") }
        return lines.joined(separator: "\n") + "\n"
    }

    private func block(stopped c: DomainConfig) -> String {
        var lines = ["  \(c.name):", "    host: \(host.name)"]
        lines.append("    memory: \(Self.size(c.memory))")
        lines.append("    maxmem: \(Self.size(c.maxmem))")
        lines.append("    vcpus: \(c.vcpus)")
        lines.append("    maxvcpus: \(c.maxvcpus)")
        lines.append("    cpu: {weight: \(c.cpuWeight), cap: \(c.cpuCap)}")
        if c.type != "pv" { lines.append("    type: \(c.type)") }
        lines.append(contentsOf: boot(type: c.type, config: c))
        lines.append(contentsOf: disks(c.disks, of: c.name))
        lines.append(contentsOf: network(c.nics))
        if c.protect { lines.append("    protect: true") }
        lines.append("    state: stopped")
        return lines.joined(separator: "\n") + "\n"
    }

    /// How it boots: a pv or pvh guest as its configuration says (pygrub without one),
    /// an hvm guest its firmware and devices (xl's defaults without a configuration).
    private func boot(type: String, config: DomainConfig?) -> [String] {
        guard type == "hvm" else {
            switch config?.boot ?? .pygrub {
            case .pygrub, .firmware: return ["    boot: pygrub"]
            case .pvgrub: return ["    boot: pvgrub"]
            case let .kernel(kernel, ramdisk, cmdline):
                var parts = ["kernel: \(YAMLText.doubleQuoted(kernel))"]
                if let ramdisk { parts.append("ramdisk: \(YAMLText.doubleQuoted(ramdisk))") }
                if let cmdline { parts.append("cmdline: \(YAMLText.doubleQuoted(cmdline))") }
                return ["    boot: {\(parts.joined(separator: ", "))}"]
            }
        }
        var firmware = DomainConfig.Firmware.bios
        if case let .firmware(f)? = config?.boot { firmware = f }
        let hvm = config?.hvm ?? DomainConfig.Hvm()
        var lines = ["    firmware: \(firmware.rawValue)"]
        if !hvm.bootOrder.isEmpty { lines.append("    bootOrder: [\(hvm.bootOrder.map(\.rawValue).joined(separator: ", "))]") }
        if let cdrom = hvm.cdrom { lines.append("    cdrom: {path: \(YAMLText.doubleQuoted(cdrom))}") }
        if let vnc = hvm.vnc {
            lines.append("    vnc: {listen: \(vnc.listen)\(vnc.display.map { ", display: \($0)" } ?? "")}")
        } else {
            lines.append("    vnc: false")
        }
        lines.append("    serial: \(hvm.serial.rawValue)")
        lines.append("    viridian: \(hvm.viridian)")
        return lines
    }

    /// A disk on a volume xenplan would name `<domain>-<disk>` in a pool the host reaches
    /// becomes a managed disk of that pool; anything else is kept as an existing `path`.
    private func disks(_ disks: [DomainConfig.Disk], of domain: String) -> [String] {
        if disks.isEmpty { return ["    disks: []"] }
        var lines = ["    disks:"]
        for disk in disks {
            let mode = disk.readOnly ? ", mode: ro" : ""
            if let (pool, volume) = managedVolume(disk.target, domain: domain),
                let size = host.volume(container: pool.container, name: volume)?.size
            {
                let name = String(volume.dropFirst(domain.count + 1))
                lines.append("      - {name: \(name), size: \(Self.size(size)), vdev: \(disk.vdev), pool: \(pool.name)\(mode)}")
            } else {
                let name = Self.isName(disk.vdev) ? disk.vdev : "disk"
                lines.append("      - {name: \(name), vdev: \(disk.vdev), path: \(YAMLText.doubleQuoted(disk.target))\(mode)}")
            }
        }
        return lines
    }

    private func managedVolume(_ target: String, domain: String) -> (PoolSpec, String)? {
        for pool in lab.pools(reachableFrom: host.name) {
            let prefix = pool.devicePath(volume: domain + "-")
            guard target.hasPrefix(prefix) else { continue }
            var volume = String(target.dropFirst(prefix.count - domain.count - 1))
            if case .dir = pool.kind {
                guard volume.hasSuffix(".img") else { continue }
                volume = String(volume.dropLast(4))
            }
            let disk = volume.dropFirst(domain.count + 1)
            guard !disk.contains("/"), Self.isName(String(disk)) else { continue }
            return (pool, volume)
        }
        return nil
    }

    private func network(_ nics: [DomainConfig.Nic]) -> [String] {
        if nics.isEmpty { return ["    network: []"] }
        return ["    network:"]
            + nics.map { n in
                var parts = ["bridge: \(n.bridge)"]
                if let ip = n.ip { parts.append("ip: \(ip)") }
                // Quoted: YAML 1.1 reads `00:16:…` as a number.
                if let mac = n.mac { parts.append("mac: \(YAMLText.doubleQuoted(mac))") }
                if let rate = n.rate { parts.append("rate: \(rate)") }
                if let vifname = n.vifname { parts.append("vifname: \(YAMLText.doubleQuoted(vifname))") }
                return "      - {\(parts.joined(separator: ", "))}"
            }
    }

    /// Names the manifests accept: `[a-z0-9][a-z0-9.-]{0,62}`.
    static func isName(_ s: String) -> Bool {
        let scalars = Array(s.unicodeScalars)
        guard let first = scalars.first, scalars.count <= 63 else { return false }
        let alnum: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        return alnum(first) && scalars.allSatisfy { alnum($0) || $0 == "." || $0 == "-" }
    }

    /// The largest unit that divides the size: `1G`, `512M`, `131076K`.
    static func size(_ s: ByteSize) -> String {
        if s.kib > 0 && s.kib % (1 << 20) == 0 { return "\(s.kib >> 20)G" }
        if s.kib % 1024 == 0 { return "\(s.kib / 1024)M" }
        return "\(s.kib)K"
    }

    private func yamlComment(_ s: String) -> String {
        String(s.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }
}
