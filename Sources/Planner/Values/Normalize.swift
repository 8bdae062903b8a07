import HostModel
import XenplanBasics

/// Normalisation: what the hypervisor or a driver fills in or spells differently must
/// compare equal, or a converged lab would show changes forever.
enum Normalize {
    /// `xvda`, whether written `xvda` or `/dev/xvda`.
    static func vdev(_ v: String) -> String { v.hasPrefix("/dev/") ? String(v.dropFirst(5)) : v }
    static func mac(_ m: String?) -> String? {
        guard let m, !m.isEmpty else { return nil }
        return m.lowercased()
    }
    static func ip(_ ip: String?) -> String? {
        guard let ip, !ip.isEmpty else { return nil }
        return ip
    }
    /// Memory as Xen keeps it: whole 4 KiB pages.
    static func pages(_ b: ByteSize) -> Int64 { b.kib / 4 }
    static func sameMemory(_ a: ByteSize, _ b: ByteSize) -> Bool { pages(a) == pages(b) }

    /// A configuration as compared: the manifests' hash and the uuid are bookkeeping,
    /// not desired state; disks in vdev order; MACs lower-case; empty IPs absent.
    static func config(_ c: DomainConfig) -> DomainConfig {
        var c = c
        c.manifestHash = ""
        c.manifestFile = nil
        c.uuid = nil
        c.memory = ByteSize(kib: pages(c.memory) * 4)
        c.maxmem = ByteSize(kib: pages(c.maxmem) * 4)
        c.disks = c.disks.map { DomainConfig.Disk(vdev: vdev($0.vdev), target: $0.target, readOnly: $0.readOnly) }
            .sorted { $0.vdev < $1.vdev }
        c.nics = c.nics.map { DomainConfig.Nic(bridge: $0.bridge, mac: mac($0.mac), ip: ip($0.ip), rate: $0.rate, vifname: $0.vifname) }
        return c
    }

    /// Equal as desired state. A NIC whose MAC the manifests leave to Xen matches any MAC.
    static func sameConfig(desired: DomainConfig, observed: DomainConfig) -> Bool {
        var d = config(desired)
        let o = config(observed)
        guard d.nics.count == o.nics.count else { return false }
        for i in d.nics.indices where d.nics[i].mac == nil { d.nics[i].mac = o.nics[i].mac }
        return d == o
    }
}
