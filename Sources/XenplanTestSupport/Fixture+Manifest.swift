import HostModel
import Manifest
import XenplanBasics

extension Fixture {
    /// A declared host with `xenbr0` on `eth0` unless told otherwise.
    public static func hostSpec(
        _ name: String, memory: ByteSize = .gib(16), cpus: Int = 8, dom0: ByteSize = .gib(1),
        bridges: [String] = ["xenbr0"], vcpuRatio: Int = HostSpec.defaultVcpuRatio
    ) -> HostSpec {
        HostSpec(
            name: name, connection: .sim, dom0Memory: dom0,
            bridges: bridges.enumerated().map { BridgeSpec(name: $1, interface: "eth\($0)") },
            vcpuRatio: vcpuRatio, simMemory: memory, simCpus: cpus)
    }

    /// An LVM pool named after its volume group.
    public static func lvm(_ name: String, vg: String? = nil, hosts: [String], shared: Bool = false) -> PoolSpec {
        PoolSpec(name: name, kind: .lvm(volumeGroup: vg ?? name), hosts: hosts, shared: shared)
    }

    /// A disk of `size` MiB on `pool`; the vdev defaults to `xvda`, `xvdb`, … by position
    /// when built through `domain(…, disks:)` with `disk(_:size:)` pairs.
    public static func disk(
        _ name: String, size: Int64, vdev: String = "xvda", pool: String? = nil,
        readOnly: Bool = false
    ) -> DiskSpec {
        DiskSpec(name: name, size: .mib(size), vdev: vdev, pool: pool, readOnly: readOnly)
    }

    public static func nic(_ bridge: String = "xenbr0", mac: String? = nil, ip: String? = nil) -> NicSpec {
        NicSpec(bridge: bridge, ip: ip, mac: mac)
    }

    /// A declared domain; `memory`/`maxmem` in MiB. One NIC on xenbr0 with a MAC derived
    /// from the name unless `network` is given.
    public static func domain(
        _ name: String, on host: String? = nil, memory: Int64 = 256, maxmem: Int64? = nil,
        vcpus: Int = 1, maxvcpus: Int? = nil, group: String? = nil, weight: Int = 256, cap: Int = 0,
        disks: [DiskSpec] = [], network: [NicSpec]? = nil, restart: RestartPolicy = .never,
        protect: Bool = false, state: DesiredRunState = .running
    ) -> DomainSpec {
        DomainSpec(
            name: name, host: host, group: group, memory: .mib(memory), maxmem: maxmem.map { .mib($0) },
            vcpus: vcpus, maxvcpus: maxvcpus, cpuWeight: weight, cpuCap: cap,
            disks: disks, network: network ?? [nic(mac: mac(for: name))], restart: restart, protect: protect,
            state: state)
    }

    /// A deterministic Xen-style MAC (`00:16:3e:…`) for a name.
    public static func mac(for name: String) -> String { StableIdentity.xenMAC(name) }

    public static func lab(
        hosts: [HostSpec], pools: [PoolSpec] = [], groups: [GroupSpec] = [],
        domains: [DomainSpec] = [], images: [ImageSpec] = [], name: String = "test"
    ) -> Lab {
        Lab(name: name, pools: pools, hosts: hosts, groups: groups, domains: domains, images: images, contentHash: "test-hash")
    }
}
