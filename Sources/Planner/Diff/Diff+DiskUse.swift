import HostModel
import Manifest

/// A guest is never started while another running guest writes one of its disks.
extension Diff {
    /// Reports `d` as held back when one of its disks is in use; returns whether it was.
    mutating func holdIfDiskInUse(_ d: DomainSpec, disks: [DomainConfig.Disk], on host: String) -> Bool {
        guard let why = observed.diskInUse(d.name, disks: disks) else { return false }
        notice(
            .diskInUse, host: host, domain: d.name,
            "\(d.name) is not started: \(why); it starts once that guest has let the disk go")
        ledger[d.name] = nil
        return true
    }
}
