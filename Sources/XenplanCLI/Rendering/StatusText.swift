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
            let status = HostStatus(host, spec: lab.host(host.name))
            out.append(style.bold(host.name) + "  Xen \(host.xenVersion), \(host.cpus) CPUs, \(host.totalMemory) RAM, dom0 \(host.dom0Memory)")
            out.append(
                "  memory \(bar(status.usedKiB, status.availableKiB)) \(ByteSize(kib: status.usedKiB)) of \(ByteSize(kib: status.availableKiB))")
            out.append("  vCPUs  \(bar(Int64(status.vcpus), Int64(status.vcpuLimit))) \(status.vcpus) of \(status.vcpuLimit)")
            let width = max(8, status.guests.map(\.name.count).max() ?? 0)
            for (guest, domain) in zip(status.guests, host.guests.sorted(by: { $0.name < $1.name })) {
                let managed = guest.managed ? "managed" : style.yellow("unmanaged")
                let transient = domain.transient.map { " (\($0 == .incoming ? "incoming" : "migrating away"))" } ?? ""
                let memory =
                    domain.memoryActual == domain.memoryTarget
                    ? "\(domain.memoryTarget)"
                    : "\(domain.memoryActual) → \(domain.memoryTarget)"
                out.append(
                    "    \(domain.name.padded(to: width))  \(domain.state.rawValue.padded(to: 8))  \(memory.padded(to: 20))  \(domain.vcpusOnline)/\(domain.maxVcpus) vCPUs  \(managed)\(transient)"
                )
            }
            if !status.suspended.isEmpty {
                let listed = status.suspended.map { "\($0.name) (\(ByteSize.mib($0.sizeMiB)) in \($0.saveFile))" }
                out.append(style.dim("    suspended: \(listed.joined(separator: ", "))"))
            }
            if !status.stopped.isEmpty {
                out.append(style.dim("    not running (configured): \(status.stopped.joined(separator: ", "))"))
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
