import HostModel
import Manifest
import XenplanBasics

/// One host as `xenplan status` shows it: what it has, what its guests use against its
/// capacity, and each guest. The text and the JSON are both made from this.
struct HostStatus: Encodable {
    struct Guest: Encodable {
        var name: String
        var state: String
        var managed: Bool
        /// `incoming` or `migratedAway` while a migration runs.
        var transient: String?
        var memoryMiB: Int64
        var memoryTargetMiB: Int64
        var vcpus: Int
        var maxVcpus: Int
    }

    struct Suspended: Encodable {
        var name: String
        var saveFile: String
        var sizeMiB: Int64
    }

    var name: String
    var xenVersion: String
    var cpus: Int
    var totalMiB: Int64
    var dom0MiB: Int64
    /// What guests may use: total less the hypervisor's reserve and dom0.
    var availableMiB: Int64
    /// What running guests hold (page tables and grant tables included).
    var usedMiB: Int64
    var vcpus: Int
    var vcpuLimit: Int
    var guests: [Guest]
    /// Configured, not running, with a save file here.
    var suspended: [Suspended]
    /// Configured, not running, without a save file.
    var stopped: [String]

    /// Exact KiB behind the MiB fields, for the bars.
    let usedKiB: Int64
    let availableKiB: Int64
    private enum CodingKeys: String, CodingKey {
        case name, xenVersion, cpus, totalMiB, dom0MiB, availableMiB, usedMiB, vcpus, vcpuLimit, guests, suspended, stopped
    }

    init(_ host: HostState, spec: HostSpec?) {
        let dom0 = max(host.dom0Memory, spec?.dom0Memory ?? .zero)
        let available = host.totalMemory - XenMemory.hypervisorReserve(total: host.totalMemory) - dom0
        let guests = host.guests
        let used = guests.reduce(ByteSize.zero) {
            $0 + XenMemory.footprint(actual: $1.memoryActual, staticMax: $1.memoryStaticMax, type: $1.type, maxVcpus: $1.maxVcpus)
        }
        name = host.name
        xenVersion = host.xenVersion
        cpus = host.cpus
        totalMiB = host.totalMemory.mib
        dom0MiB = host.dom0Memory.mib
        availableMiB = available.mib
        usedMiB = used.mib
        availableKiB = available.kib
        usedKiB = used.kib
        vcpus = guests.reduce(0) { $0 + $1.vcpusOnline }
        vcpuLimit = host.cpus * (spec?.vcpuRatio ?? HostSpec.defaultVcpuRatio)
        self.guests = guests.sorted { $0.name < $1.name }.map { d in
            Guest(
                name: d.name, state: d.state.rawValue, managed: host.config(named: d.name) != nil, transient: d.transient?.rawValue,
                memoryMiB: d.memoryActual.mib, memoryTargetMiB: d.memoryTarget.mib, vcpus: d.vcpusOnline, maxVcpus: d.maxVcpus)
        }
        let configured = host.configs.filter { host.domain(named: $0.name) == nil }.map(\.name).sorted()
        suspended = configured.compactMap { name in
            host.save(of: name).map { Suspended(name: name, saveFile: $0.path, sizeMiB: $0.size.mib) }
        }
        stopped = configured.filter { host.save(of: $0) == nil }
    }
}
