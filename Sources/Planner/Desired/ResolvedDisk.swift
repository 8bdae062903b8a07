import HostModel
import Manifest

/// A declared disk resolved on a host: the device it reaches and, when xenplan manages
/// the storage, the volume behind it.
struct ResolvedDisk {
    var spec: DiskSpec
    var vdev: String
    var target: String
    var volume: VolumeKey?
    var pool: PoolSpec?
    var config: DomainConfig.Disk { DomainConfig.Disk(vdev: vdev, target: target, readOnly: spec.readOnly) }
}
