import HostModel
import Manifest

/// What the plan backs up before it destroys a guest or removes a volume, and what it
/// cannot: with a backup policy, what an apply loses is first copied to the backup pool
/// as its own step; without one the plan says that nothing is kept.
struct SafetyNet {
    /// What stands before one destroy or volume removal.
    enum Cover {
        /// The backup draft it waits for.
        case backup(Int)
        /// No backup: why, in the plan's words (`no backup policy`, `backups: none`).
        case none(String)
        /// Nothing of a declared pool is lost: nothing to back up.
        case nothing
        /// A backup is due but cannot be made: the plan is refused.
        case refused
    }

    /// The backup draft that copies each volume before it is lost.
    var backupOf: [VolumeKey: Int] = [:]
    /// The safety-net backups of each domain (as its backups are named), in plan order.
    /// Backups of one domain keep only the newest `keep`: a second safety net of the same
    /// domain in one plan (a cold move's copies left on two hosts) would prune the first
    /// one's copy of a volume about to be removed. So each waits for the one before it and
    /// keeps one more.
    var backupsOf: [String: [Int]] = [:]

    /// `keep` for the next safety-net backup of `domain`, and the draft it waits for.
    func next(for domain: String, keep: Int) -> (keep: Int, after: [Int]) {
        let earlier = backupsOf[domain] ?? []
        return (min(keep + earlier.count, 1000), earlier.last.map { [$0] } ?? [])
    }
    /// Backups the policy asks for that cannot be made: the plan is refused rather than
    /// lose data silently.
    var problems: [(host: String, domain: String, message: String)] = []
}
