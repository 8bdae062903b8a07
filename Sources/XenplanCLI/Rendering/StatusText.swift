import HostModel
import Manifest
import XenplanBasics

/// `xenplan status`: each host's domains and bars of memory and vCPU use.
struct StatusText {
    var hosts: [HostState]
    var lab: Lab
    var style: Style
    static let barWidth = 30

    func render() -> String {
        var out: [String] = []
        for host in hosts {
            let spec = lab.host(host.name)
            let dom0 = max(host.dom0Memory, spec?.dom0Memory ?? .zero)
            let available = host.totalMemory - XenMemory.hypervisorReserve(total: host.totalMemory) - dom0
            let guests = host.guests
            let used = guests.reduce(ByteSize.zero) { $0 + XenMemory.footprint(actual: $1.memoryActual, staticMax: $1.memoryStaticMax) }
            let vcpus = guests.reduce(0) { $0 + $1.vcpusOnline }
            let vcpuLimit = host.cpus * (spec?.vcpuRatio ?? HostSpec.defaultVcpuRatio)

            out.append(style.bold(host.name) + "  Xen \(host.xenVersion), \(host.cpus) CPUs, \(host.totalMemory) RAM, dom0 \(host.dom0Memory)")
            out.append("  memory \(bar(used.kib, available.kib)) \(used) of \(available)")
            out.append("  vCPUs  \(bar(Int64(vcpus), Int64(vcpuLimit))) \(vcpus) of \(vcpuLimit)")
            let width = max(8, guests.map(\.name.count).max() ?? 0)
            for domain in guests.sorted(by: { $0.name < $1.name }) {
                let managed = host.config(named: domain.name) != nil ? "managed" : style.yellow("unmanaged")
                let transient = domain.transient.map { " (\($0 == .incoming ? "incoming" : "migrating away"))" } ?? ""
                let memory =
                    domain.memoryActual == domain.memoryTarget
                    ? "\(domain.memoryTarget)"
                    : "\(domain.memoryActual) → \(domain.memoryTarget)"
                out.append(
                    "    \(domain.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(domain.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(memory.padding(toLength: 20, withPad: " ", startingAt: 0))  \(domain.vcpusOnline)/\(domain.maxVcpus) vCPUs  \(managed)\(transient)"
                )
            }
            // A complete save file is a suspended guest: its memory is in the file.
            let suspended = Set(host.saves.filter { !$0.partial && host.domain(named: $0.domain) == nil }.map(\.domain))
            if !suspended.isEmpty {
                out.append(style.dim("    suspended (save file): \(suspended.sorted().joined(separator: ", "))"))
            }
            let stopped = host.configs.filter { host.domain(named: $0.name) == nil && !suspended.contains($0.name) }.map(\.name)
            if !stopped.isEmpty {
                out.append(style.dim("    not running (configured): \(stopped.sorted().joined(separator: ", "))"))
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    /// `[##########..........]`, red when over capacity.
    private func bar(_ used: Int64, _ capacity: Int64) -> String {
        guard capacity > 0 else { return "[" + String(repeating: "?", count: Self.barWidth) + "]" }
        let filled = Int(min(Int64(Self.barWidth), (used * Int64(Self.barWidth) + capacity - 1) / capacity))
        let body = String(repeating: "#", count: filled) + String(repeating: ".", count: Self.barWidth - filled)
        let ratio = Double(used) / Double(capacity)
        let colored = ratio > 1 ? style.red(body) : ratio > 0.85 ? style.yellow(body) : style.green(body)
        return "[" + colored + "]"
    }
}
