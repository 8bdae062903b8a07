import XenplanBasics

/// What a complete backup holds, written as `record.json` beside its disk copies and read
/// back by observation (`HostState.backups`), by `xenplan backups` and by a restore.
public struct BackupRecord: Hashable, Codable, Sendable {
    public struct Disk: Hashable, Codable, Sendable {
        public var vdev: String
        /// Where the disk was: volume group or `dir` pool directory, and volume name.
        public var container: String
        public var volume: String
        /// The volume's size (what a restore creates).
        public var size: ByteSize
        /// The copy's file name in the backup's directory (`xvda.img` or `xvda.img.zst`).
        public var file: String
        /// zstd-compressed.
        public var compressed: Bool
        /// Lower-case hex SHA-256 of the volume's whole content as snapshotted.
        public var sha256: String
        /// Bytes the copy takes in the backup pool.
        public var storedSize: ByteSize

        public init(
            vdev: String, container: String, volume: String, size: ByteSize, file: String, compressed: Bool, sha256: String,
            storedSize: ByteSize
        ) {
            self.vdev = vdev
            self.container = container
            self.volume = volume
            self.size = size
            self.file = file
            self.compressed = compressed
            self.sha256 = sha256
            self.storedSize = storedSize
        }
    }

    /// The record's own format; a newer one is listed but not restored from.
    public static let currentFormat = 1

    public var format: Int
    public var domain: String
    public var id: String
    /// The backup pool's directory (as the host that reads the record sees it).
    public var directory: String
    /// The host that made it.
    public var host: String
    /// When it was made, UTC, `2026-12-02T01:30:00Z`.
    public var time: String
    /// `live`, `pause`, `shutdown` or `stopped`.
    public var consistency: String
    public var config: DomainConfig?
    public var disks: [Disk]
    public var xenplanVersion: String

    public init(
        format: Int = BackupRecord.currentFormat, domain: String, id: String, directory: String, host: String, time: String,
        consistency: String, config: DomainConfig?, disks: [Disk], xenplanVersion: String
    ) {
        self.format = format
        self.domain = domain
        self.id = id
        self.directory = directory
        self.host = host
        self.time = time
        self.consistency = consistency
        self.config = config
        self.disks = disks
        self.xenplanVersion = xenplanVersion
    }

    /// `<directory>/xenplan-backups/<domain>/<id>`.
    public var backupDirectory: String { BackupJob.domainDirectory(directory: directory, domain: domain) + "/" + id }
    public func path(of disk: Disk) -> String { backupDirectory + "/" + disk.file }
}
