import HostModel
import XenplanBasics

/// What a configuration write changes, field by field, for the plan's summary: people
/// approve `maxmem 1 GiB → 2 GiB, vif 00:16:3e:5a:00:02 added on xenbr1`, not "update".
enum ConfigChanges {
    /// The differences from `old` to `new` as desired state (bookkeeping left out), in a
    /// fixed order; empty when only bookkeeping differs.
    static func between(_ old: DomainConfig, _ new: DomainConfig) -> [String] {
        let o = Normalize.config(old), n = Normalize.config(new)
        var out: [String] = []
        func change<T: Equatable>(_ name: String, _ a: T, _ b: T, _ show: (T) -> String) {
            if a != b { out.append("\(name) \(show(a)) → \(show(b))") }
        }
        change("type", o.type, n.type) { $0 }
        change("memory", o.memory, n.memory) { "\($0)" }
        change("maxmem", o.maxmem, n.maxmem) { "\($0)" }
        change("vcpus", o.vcpus, n.vcpus) { "\($0)" }
        change("maxvcpus", o.maxvcpus, n.maxvcpus) { "\($0)" }
        change("cpu weight", o.cpuWeight, n.cpuWeight) { "\($0)" }
        change("cpu cap", o.cpuCap, n.cpuCap) { "\($0)" }
        out += boot(o.boot, n.boot)
        out += hvm(o.hvm, n.hvm)
        out += disks(o.disks, n.disks)
        out += nics(o.nics, n.nics).all
        if o.seed != n.seed {
            switch (o.seed, n.seed) {
            case (nil, _?): out.append("first-boot seed added")
            case (_?, nil): out.append("first-boot seed removed")
            default: out.append("first-boot seed rewritten")
            }
        }
        change("protect", o.protect, n.protect) { $0 ? "on" : "off" }
        change("autostart", o.autostart, n.autostart) { $0 ? "on" : "off" }
        return out
    }

    /// What differs from `old` to `new` that a running guest only takes when it starts
    /// again: how it boots, its firmware devices, an interface's rate or dom0 name.
    static func needingRestart(_ old: DomainConfig, _ new: DomainConfig) -> [String] {
        let o = Normalize.config(old), n = Normalize.config(new)
        return boot(o.boot, n.boot) + hvm(o.hvm, n.hvm) + nics(o.nics, n.nics).atStart
    }

    /// `firmware bios → uefi` between two firmwares, else `boot pygrub → kernel …`.
    private static func boot(_ old: DomainConfig.Boot, _ new: DomainConfig.Boot) -> [String] {
        if old == new { return [] }
        if case let .firmware(a) = old, case let .firmware(b) = new { return ["firmware \(a.rawValue) → \(b.rawValue)"] }
        return ["boot \(Text.boot(old)) → \(Text.boot(new))"]
    }

    /// An hvm guest's devices, each named; nothing when the type changes (said already).
    private static func hvm(_ old: DomainConfig.Hvm?, _ new: DomainConfig.Hvm?) -> [String] {
        guard let a = old, let b = new, a != b else { return [] }
        var out: [String] = []
        if a.bootOrder != b.bootOrder { out.append("boot order \(Text.bootOrder(a.bootOrder)) → \(Text.bootOrder(b.bootOrder))") }
        switch (a.cdrom, b.cdrom) {
        case let (nil, path?): out.append("cdrom added (\(path))")
        case (_?, nil): out.append("cdrom removed")
        case let (x?, y?) where x != y: out.append("cdrom \(x) → \(y)")
        default: break
        }
        if a.vnc != b.vnc { out.append("vnc \(Text.vnc(a.vnc)) → \(Text.vnc(b.vnc))") }
        if a.serial != b.serial { out.append("serial \(a.serial.rawValue) → \(b.serial.rawValue)") }
        if a.viridian != b.viridian { out.append("viridian \(a.viridian ? "on" : "off") → \(b.viridian ? "on" : "off")") }
        return out
    }

    /// `update xenplan's configuration: maxmem 1 GiB → 2 GiB`; with nothing but bookkeeping
    /// to write, says so. On a host that has no file yet (`newFile`: it follows a
    /// migration), `write xenplan's configuration`, with what differs from the old host's.
    static func summary(from old: DomainConfig?, to new: DomainConfig, newFile: Bool = false) -> String {
        let changes = old.map { between($0, new) } ?? []
        if newFile || old == nil {
            return "write xenplan's configuration" + (changes.isEmpty ? "" : ": " + changes.joined(separator: ", "))
        }
        if changes.isEmpty { return "update xenplan's configuration (the manifests' hash and file only)" }
        return "update xenplan's configuration: " + changes.joined(separator: ", ")
    }

    private static func disks(_ old: [DomainConfig.Disk], _ new: [DomainConfig.Disk]) -> [String] {
        var out: [String] = []
        let before = Dictionary(old.map { ($0.vdev, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.map { ($0.vdev, $0) }, uniquingKeysWith: { a, _ in a })
        for vdev in Set(before.keys).union(after.keys).sorted() {
            switch (before[vdev], after[vdev]) {
            case let (nil, d?): out.append("disk \(vdev) added (\(d.target)\(d.readOnly ? ", read-only" : ""))")
            case (_?, nil): out.append("disk \(vdev) removed")
            case let (a?, b?):
                if a.target != b.target { out.append("disk \(vdev) \(a.target) → \(b.target)") }
                if a.readOnly != b.readOnly { out.append("disk \(vdev) \(b.readOnly ? "read-only" : "read-write")") }
            default: break
            }
        }
        return out
    }

    /// Interfaces matched by MAC; one the manifests leave to Xen (no MAC) matches the
    /// observed one at its position, as the comparison does. `atStart`: the changes of an
    /// interface kept (rate, dom0 name), which xl only sets when it creates the vif.
    private static func nics(_ old: [DomainConfig.Nic], _ new: [DomainConfig.Nic]) -> (all: [String], atStart: [String]) {
        var out: [String] = []
        var atStart: [String] = []
        var unmatched = Array(old.indices)
        for (i, nic) in new.enumerated() {
            let j = nic.mac.flatMap { mac in unmatched.first { old[$0].mac == mac } } ?? (nic.mac == nil && unmatched.contains(i) ? i : nil)
            guard let j else {
                out.append("vif \(nic.mac ?? "#\(i + 1)") added on \(nic.bridge)")
                continue
            }
            unmatched.removeAll { $0 == j }
            let name = "vif \(old[j].mac ?? "#\(i + 1)")"
            if old[j].bridge != nic.bridge { out.append("\(name) bridge \(old[j].bridge) → \(nic.bridge)") }
            if old[j].ip != nic.ip { out.append("\(name) ip \(old[j].ip ?? "none") → \(nic.ip ?? "none")") }
            if old[j].rate != nic.rate { atStart.append("\(name) rate \(old[j].rate ?? "unlimited") → \(nic.rate ?? "unlimited")") }
            if old[j].vifname != nic.vifname { atStart.append("\(name) vifname \(old[j].vifname ?? "default") → \(nic.vifname ?? "default")") }
        }
        out += atStart
        for j in unmatched { out.append("vif \(old[j].mac ?? "#\(j + 1)") removed") }
        return (out, atStart)
    }
}
