import HostModel
import XenplanBasics

/// Who writes to which disk now. A guest is never started while one of its read-write
/// disks is attached to another running guest (two kernels writing one filesystem
/// destroy it): the plan says so instead, and starts it once the disk is free.
extension ObservedState {
    /// Running guests by the device they have attached (one spelling per device).
    func attachedDevices() -> [String: [(domain: String, host: String, readOnly: Bool)]] {
        var result: [String: [(domain: String, host: String, readOnly: Bool)]] = [:]
        for host in hostNames {
            guard let state = hosts[host]?.state else { continue }
            for d in state.domains where d.domid != 0 && d.state.isUp {
                for disk in d.disks {
                    result[Syntax.deviceIdentity(disk.target), default: []].append((d.name, host, disk.readOnly))
                }
            }
        }
        return result
    }

    /// Why `name` cannot start with `disks`: the first read-write disk another running
    /// guest has attached (or a disk it would share read-only with one writing it).
    func diskInUse(_ name: String, disks: [DomainConfig.Disk]) -> String? {
        for disk in disks {
            for user in devicesInUse[Syntax.deviceIdentity(disk.target)] ?? [] where user.domain != name {
                if disk.readOnly && user.readOnly { continue }
                return "disk \(Normalize.vdev(disk.vdev)) (\(disk.target)) is attached to \(user.domain) on \(user.host)"
                    + (user.readOnly ? " (read-only)" : "")
            }
        }
        return nil
    }
}
