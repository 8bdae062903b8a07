import XenplanBasics

/// One backup of one domain's disks, as the host carries it out (`HostOperation.backup`):
/// every disk snapshotted (the domain paused around the snapshots when `pause`), each
/// snapshot copied into `<directory>/xenplan-backups/<domain>/<id>.partial/` (compressed
/// with zstd when the host has it), the record written beside the copies, the directory
/// renamed to `<id>` (a backup that exists is complete), the snapshots removed, and the
/// oldest complete backups of the domain beyond `keep` removed. Whatever fails, no
/// snapshot and no partial directory is left behind.
public struct BackupJob: Hashable, Codable, Sendable {
    public struct Disk: Hashable, Codable, Sendable {
        /// The guest's device (`xvda`), for the record and messages.
        public var vdev: String
        /// The volume group, or the directory of a `dir` pool.
        public var container: String
        /// The volume's name in its container.
        public var volume: String
        public var size: ByteSize
        /// `lvm` (snapshot: `lvcreate -s`) or `dir` (snapshot: a sparse, reflinked copy of
        /// the file, made while the domain is paused).
        public var poolKind: String

        public init(vdev: String, container: String, volume: String, size: ByteSize, poolKind: String) {
            self.vdev = vdev
            self.container = container
            self.volume = volume
            self.size = size
            self.poolKind = poolKind
        }

        /// The snapshot's name beside the volume: `_` appears in no manifest name, so a
        /// leftover is recognised without doubt.
        public var snapshotName: String { volume + BackupJob.snapshotSuffix }
        /// The copy-on-write space an LVM snapshot reserves in the volume group: a fifth
        /// of the volume, at least 64 MiB, at most the volume, in 4 MiB extents.
        public var snapshotSize: ByteSize { BackupJob.snapshotSize(of: size) }
        /// The file name of the copy in the backup directory (`.zst` added when compressed).
        public var fileName: String { vdev + ".img" }
    }

    public static let snapshotSuffix = "_snap"
    /// The folder of a backup pool that holds backups: `<dir>/xenplan-backups/<domain>/<id>`.
    public static let folder = "xenplan-backups"
    public static let recordFile = "record.json"

    public var domain: String
    /// The backup pool's directory.
    public var directory: String
    public var disks: [Disk]
    /// Pause the domain while the snapshots are made (consistent across disks); false
    /// for a stopped domain or a `live` policy on LVM volumes only.
    public var pause: Bool
    /// The policy's level as recorded: `live`, `pause`, `shutdown`, or `stopped` when the
    /// domain was not running.
    public var consistency: String
    /// Complete backups of the domain kept after this one is made (this one included).
    public var keep: Int
    /// The domain's configuration, kept in the record.
    public var config: DomainConfig?
    public var xenplanVersion: String

    public init(
        domain: String, directory: String, disks: [Disk], pause: Bool, consistency: String, keep: Int,
        config: DomainConfig?, xenplanVersion: String
    ) {
        self.domain = domain
        self.directory = directory
        self.disks = disks
        self.pause = pause
        self.consistency = consistency
        self.keep = keep
        self.config = config
        self.xenplanVersion = xenplanVersion
    }

    /// `<directory>/xenplan-backups/<domain>`.
    public var domainDirectory: String { BackupJob.domainDirectory(directory: directory, domain: domain) }
    /// `<directory>/xenplan-backups/<domain>/<id>`; the host names a backup by its own UTC
    /// clock when it starts it (`20261202T013000Z`, `-2`… added when that one exists), so
    /// that a plan saved and applied later stays the same plan.
    public func backupDirectory(id: String) -> String { domainDirectory + "/" + id }
    public func partialDirectory(id: String) -> String { backupDirectory(id: id) + ".partial" }

    public static func domainDirectory(directory: String, domain: String) -> String {
        (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + "/" + folder + "/" + domain
    }

    public static func snapshotSize(of size: ByteSize) -> ByteSize {
        let extent = ByteSize.mib(4).kib
        let fifth = max(size.kib / 5, ByteSize.mib(64).kib)
        let rounded = (fifth + extent - 1) / extent * extent
        let volume = (max(size.kib, extent) + extent - 1) / extent * extent
        return ByteSize(kib: min(rounded, volume))
    }
}
