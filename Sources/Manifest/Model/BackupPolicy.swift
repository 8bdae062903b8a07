/// How a domain's disks are backed up: into which `dir` pool, how many backups are kept,
/// and how consistent each is with the running guest.
public struct BackupPolicy: Hashable, Sendable {
    /// What a running guest goes through while its disks are snapshotted.
    public enum Consistency: String, Hashable, Sendable, CaseIterable {
        /// Snapshots taken while the guest runs (each disk as if the power went off at a
        /// slightly different moment); a `dir`-pool disk still pauses it, since its
        /// snapshot is a copy of the file.
        case live
        /// The guest paused for the snapshots (a few seconds), all disks of one instant.
        case pause
        /// The guest shut down for the snapshots and started again: a clean filesystem.
        case shutdown
    }

    /// A `dir` pool: backups are files (a copy of each disk and its record).
    public var pool: String
    /// Complete backups kept per domain, the newest one included.
    public var keep: Int
    public var consistency: Consistency

    public static let defaultKeep = 7
    public static let keepRange = 1...1000
    public static let defaultConsistency = Consistency.pause

    public init(pool: String, keep: Int = BackupPolicy.defaultKeep, consistency: Consistency = BackupPolicy.defaultConsistency) {
        self.pool = pool
        self.keep = keep
        self.consistency = consistency
    }
}
