import HostModel
import XenplanBasics

/// The fields of saves, backups and restores: checked alone (`check(_:_:)`), then
/// against what the session's hello declared (`check(_:session:)`), since where a host
/// writes save files and backups depends on the pools the lab gives it.
extension AgentValidation {
    static let consistencies = ["live", "pause", "shutdown", "stopped"]
    static let keeps = 1...1000

    static func check(_ job: BackupJob, _ at: String) throws(Problem) {
        try domainName(job.domain, "\(at).domain", transient: false)
        try path(job.directory, "\(at).directory")
        guard (1...64).contains(job.disks.count) else { throw Problem(field: "\(at).disks", message: "1 to 64 disks, not \(job.disks.count)") }
        var vdevs = Set<String>()
        for (i, disk) in job.disks.enumerated() {
            let field = "\(at).disks[\(i)]"
            try vdev(disk.vdev, "\(field).vdev")
            guard vdevs.insert(disk.vdev).inserted else { throw Problem(field: "\(field).vdev", message: "\(disk.vdev) appears twice") }
            try container(disk.container, "\(field).container")
            // The snapshot's name must be one too: the volume's, five bytes longer.
            try volumeName(disk.volume, "\(field).volume")
            try volumeName(disk.snapshotName, "\(field).volume")
            try size(disk.size, "\(field).size")
            guard disk.poolKind == (disk.container.hasPrefix("/") ? "dir" : "lvm") else {
                throw Problem(
                    field: "\(field).poolKind",
                    message: "\(shown(disk.poolKind)) is not \(disk.container.hasPrefix("/") ? "dir" : "lvm"), the kind of its container")
            }
        }
        guard consistencies.contains(job.consistency) else {
            throw Problem(field: "\(at).consistency", message: "\(shown(job.consistency)) is not one of \(consistencies.joined(separator: ", "))")
        }
        try range(job.keep, keeps, "\(at).keep", what: "the number of backups kept")
        if let config = job.config {
            try check(config, "\(at).config")
            guard config.name == job.domain else {
                throw Problem(field: "\(at).config.name", message: "\(shown(config.name)) is not the domain backed up, \(job.domain)")
            }
        }
        try text(job.xenplanVersion, "\(at).xenplanVersion", max: 64)
    }

    static func check(_ source: BackupSource, _ at: String) throws(Problem) {
        try domainName(source.domain, "\(at).domain", transient: false)
        try backupID(source.id, "\(at).id")
        try path(source.path, "\(at).path")
        guard ImageSource.isSHA256(source.sha256) else {
            throw Problem(field: "\(at).sha256", message: "\(shown(source.sha256)) is not 64 lower-case hexadecimal digits")
        }
    }

    /// `20261202T013000Z`, or `20261202T013000Z-N`: the names hosts give backups.
    static func backupID(_ s: String, _ field: String) throws(Problem) {
        let parts = s.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let stamp = Array(parts[0].utf8)
        let stampOK =
            stamp.count == 16 && stamp[8] == UInt8(ascii: "T") && stamp[15] == UInt8(ascii: "Z")
            && stamp[0..<8].allSatisfy(Syntax.isDigit) && stamp[9..<15].allSatisfy(Syntax.isDigit)
        let suffixOK = parts.count == 1 || (Int(parts[1]).map { $0 >= 2 && $0 < 1_000_000 && String($0) == parts[1] } ?? false)
        guard stampOK, suffixOK else {
            throw Problem(field: field, message: "\(shown(s)) is not a backup id (20261202T013000Z, optionally -N)")
        }
    }

    // MARK: Against the session

    /// Save files only in the host's save directory or a `dir` pool the hello named;
    /// backups only into such a pool; a restore reads only a backup's own copy in such a
    /// pool.
    static func check(_ operation: HostOperation, session: AgentSession) throws(Problem) {
        let at = "operation"
        let directories = Set(session.imageDirectories.map(AgentPolicy.withoutTrailingSlash))
        func saveDirectory(_ directory: String, _ field: String) throws(Problem) {
            let dir = AgentPolicy.withoutTrailingSlash(directory)
            guard dir == SaveState.defaultDirectory || directories.contains(dir) else {
                throw Problem(
                    field: field,
                    message: "\(shown(directory)) is neither \(SaveState.defaultDirectory) nor a dir pool directory this session's hello named")
            }
        }
        func poolDirectory(_ directory: String, _ field: String) throws(Problem) {
            guard directories.contains(AgentPolicy.withoutTrailingSlash(directory)) else {
                throw Problem(field: field, message: "\(shown(directory)) is not a dir pool directory this session's hello named")
            }
        }
        switch operation {
        case let .save(_, directory): try saveDirectory(directory, "\(at).save.directory")
        case let .restore(_, directory): try saveDirectory(directory, "\(at).restore.directory")
        case let .removeSave(_, directory, _): try saveDirectory(directory, "\(at).removeSave.directory")
        case let .backup(job):
            // The disks' containers are the policy's to allow, as for every volume operation.
            try poolDirectory(job.directory, "\(at).backup._0.directory")
        case let .restoreVolume(_, _, _, source, _):
            // `<pool>/xenplan-backups/<domain>/<id>/<file>`, the file a disk copy's name.
            let field = "\(at).restoreVolume.source.path"
            var parts = source.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            let file = parts.popLast() ?? ""
            let tail = Array(parts.suffix(3))
            let pool = parts.dropLast(3).joined(separator: "/")
            let vdev = String(file.prefix(while: { $0 != "." }))
            let fileOK = file == vdev + ".img" || file == vdev + ".img.zst"
            guard fileOK, tail == [BackupJob.folder, source.domain, source.id], directories.contains(pool) else {
                throw Problem(
                    field: field,
                    message:
                        "\(shown(source.path)) is not a disk copy of backup \(source.id) of \(source.domain) in a dir pool directory this session's hello named"
                )
            }
            try self.vdev(vdev, field)
        default:
            return
        }
    }
}
