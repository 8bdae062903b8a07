import HostModel
import Manifest
import XenplanBasics

/// The disks a backup copies on one host: those whose device is a volume of a declared
/// pool the host reaches (how a configuration's target maps back to its volume is the
/// host's `volumeByTarget`). Existing devices (`path:`) and the first-boot seed are not
/// xenplan's to copy: they are named, for a notice.
struct BackupDisks {
    var disks: [BackupJob.Disk] = []
    /// `xvdb (/dev/sdb, an existing device)`, `xvdz (the first-boot seed)`.
    var skipped: [String] = []

    init(_ list: [(vdev: String, target: String)], seed: String?, index: HostIndex, desired: DesiredState) {
        var seen: Set<VolumeKey> = []
        for disk in list {
            let vdev = Normalize.vdev(disk.vdev)
            if disk.target == seed || vdev == CloudInitSeed.vdev && disk.target.hasPrefix(CloudInitSeed.directory) {
                skipped.append("\(vdev) (the first-boot seed)")
                continue
            }
            guard let key = index.volumeByTarget[disk.target], let pool = desired.pool(container: key.container, reachedBy: index.name) else {
                skipped.append("\(vdev) (\(disk.target), an existing device)")
                continue
            }
            guard seen.insert(key).inserted else { continue }
            disks.append(
                BackupJob.Disk(
                    vdev: vdev, container: key.container, volume: key.name, size: index.volumes[key] ?? .zero,
                    poolKind: pool.isDirectory ? "dir" : "lvm"))
        }
    }

    /// `vg0/web-root 8 GiB, vg0/web-data 20 GiB`.
    static func describe(_ disks: [BackupJob.Disk]) -> String {
        disks.map { "\($0.container)/\($0.volume) \($0.size)" }.joined(separator: ", ")
    }

    /// Snapshots an interrupted backup left beside the volumes (`<volume>_snap`): the
    /// host removes them before it snapshots again.
    static func leftovers(_ disks: [BackupJob.Disk], on index: HostIndex) -> [String] {
        disks.compactMap { d in
            index.volumes[VolumeKey(container: d.container, name: d.snapshotName)] == nil ? nil : "\(d.container)/\(d.snapshotName)"
        }
    }
}
