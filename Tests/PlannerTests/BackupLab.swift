import HostModel
import Manifest
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// The standard lab with a backup pool on cpt18 (`backup`, a directory) and a `dir`
/// volume pool (`files`), and `web` on cpt18 with two LVM disks under a policy.
enum BackupLab {
    static let backupPool = PoolSpec(name: "backup", kind: .dir(path: "/srv/xen-backups"), hosts: ["cpt18"])
    static let filesPool = PoolSpec(name: "files", kind: .dir(path: "/srv/xen-images"), hosts: ["cpt18"])
    static let policy = BackupPolicy(pool: "backup")
    static let options = PlanOptions(xenplanVersion: "test")

    static func web(
        _ consistency: BackupPolicy.Consistency = .pause, state: DesiredRunState = .running, on host: String = "cpt18",
        pool: String = "cpt18-local", extra: [DiskSpec] = []
    ) -> DomainSpec {
        var d = Fixture.domain(
            "web", on: host, memory: 512,
            disks: [
                Fixture.disk("root", size: 8192, vdev: "xvda", pool: pool),
                Fixture.disk("data", size: 20480, vdev: "xvdb", pool: pool),
            ] + extra, state: state)
        d.backups = BackupPolicy(pool: "backup", consistency: consistency)
        return d
    }

    /// Std's domains (no policy of their own) and `domains`, the lab-wide policy `labPolicy`.
    static func lab(_ domains: [DomainSpec] = [web()], labPolicy: BackupPolicy? = policy) -> Lab {
        var lab = Fixture.lab(hosts: Std.hosts, pools: Std.pools + [backupPool, filesPool], domains: Std.lab().domains + domains)
        lab.backups = labPolicy
        return lab
    }

    static func disk(_ vdev: String, _ volume: String, _ mib: Int64, container: String = "vg18", kind: String = "lvm") -> BackupJob.Disk {
        BackupJob.Disk(vdev: vdev, container: container, volume: volume, size: .mib(mib), poolKind: kind)
    }

    /// web's two disks as a job names them.
    static let webDisks = [disk("xvda", "web-root", 8192), disk("xvdb", "web-data", 20480)]
}
