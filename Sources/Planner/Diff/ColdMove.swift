import HostModel
import Manifest
import XenplanBasics

/// What moving a domain cold from `source` to `target` copies, or why it cannot: each of
/// its disks on a pool the target does not reach becomes a copy of its logical volume into
/// the volume its declared disk names on the target (the pool the manifest gives there),
/// at the source's size, grown afterwards to the declared size. A disk on a shared pool
/// the target reaches stays as it is.
struct ColdMove {
    struct Copy {
        var vdev: String
        var from: VolumeKey
        var size: ByteSize
        var to: VolumeKey
        /// The declared size on the target: the copy is grown to it when larger.
        var declared: ByteSize
        /// The target has the volume already, of the source's size (a move interrupted
        /// after naming it): it is checked against the source instead of copied.
        var existing: Bool
    }

    var copies: [Copy] = []
    /// Why the move cannot go, in words; empty when it can.
    var problems: [String] = []

    var bytes: ByteSize { copies.filter { !$0.existing }.map(\.size).reduce(.zero, +) }

    /// For `d` with `disks` (as it runs, or as its configuration says) on `source`.
    init(
        _ d: DomainSpec, disks: [DomainConfig.Disk], from source: String, to target: String,
        desired: DesiredState, observed: ObservedState
    ) {
        guard observed.hosts[target] != nil else {
            problems.append("host \(target) was not observed")
            return
        }
        guard let here = observed.hosts[source] else {
            problems.append("host \(source) was not observed")
            return
        }
        let declared = desired.resolveDisks(d, on: target)
        for disk in disks where disk.target != CloudInitSeed.path(domain: d.name) {
            let vdev = Normalize.vdev(disk.vdev)
            guard let key = here.volumeByTarget[disk.target], let pool = desired.pool(container: key.container, reachedBy: source) else {
                problems.append("disk \(vdev) (\(disk.target)) is on no declared pool")
                continue
            }
            guard let wanted = declared.first(where: { $0.vdev == vdev }), let to = wanted.volume, let toPool = wanted.pool,
                let size = wanted.spec.size
            else {
                problems.append("disk \(vdev) has no declared volume on \(target)")
                continue
            }
            if pool.shared && pool.hosts.contains(target) && to == key { continue }
            guard case .lvm = pool.kind, case .lvm = toPool.kind else {
                problems.append("disk \(vdev) is on pool \(pool.name) and declared on pool \(toPool.name): a cold move copies logical volumes only")
                continue
            }
            guard toPool.hosts.contains(target) else {
                problems.append("disk \(vdev) is declared on pool \(toPool.name), which \(target) does not reach")
                continue
            }
            let current = here.volumes[key] ?? .zero
            if size < current {
                problems.append("disk \(vdev) is \(current) on \(source) but declared \(size): volumes are never shrunk")
                continue
            }
            let existing = observed.existingVolume(to, pool: toPool, host: target)
            if let existing, existing.size != current {
                problems.append(
                    "volume \(to.description) already exists on \(existing.host) (\(existing.size), \(current) on \(source)): "
                        + "a copy never writes over a volume; remove it for the move to go ahead")
                continue
            }
            copies.append(Copy(vdev: vdev, from: key, size: current, to: to, declared: size, existing: existing != nil))
        }
        let bridges = desired.bridges(on: target)
        for b in Set(d.network.map(\.bridge)).sorted() where !bridges.contains(b) {
            problems.append("bridge \(b) is not declared on \(target)")
        }
        if let why = observed.diskInUse(d.name, disks: disks) { problems.append(why) }
    }

    /// The plan line's words: `cold: shut down, copy 2 volumes (10 GiB) over ssh, start on b`.
    func summary(shutdown: Bool, to target: String) -> String {
        let n = copies.filter { !$0.existing }.count
        let checked = copies.count - n
        var parts = shutdown ? ["shut down"] : []
        if n > 0 { parts.append("copy \(n) volume\(n == 1 ? "" : "s") (\(bytes)) over ssh") }
        if checked > 0 { parts.append("check \(checked) volume\(checked == 1 ? "" : "s") copied earlier") }
        return "cold: " + (parts + ["start on \(target)"]).joined(separator: ", ")
    }
}
