import CXen
import FoundationEssentials
import HostModel
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension XenDriver {
    /// One backup, as `BackupJob` describes it: leftovers of an interrupted backup removed,
    /// every disk snapshotted (the domain paused around the snapshots when the job says
    /// so, and unpaused whatever failed), each snapshot hashed and copied into
    /// `<id>.partial/` (zstd when installed), the record written, the directory renamed to
    /// `<id>`, the snapshots removed and the oldest complete backups beyond `keep` pruned.
    /// On failure: no snapshot, no partial directory, the domain running; the error names
    /// the step and the tool's words.
    func backup(_ job: BackupJob) async throws {
        let kind = "backup"
        let domain = job.domain
        try checkJob(job)
        let domainDirectory = job.domainDirectory
        try makePrivateDirectory(domainDirectory, kind, domain)

        // 1. The leftovers of an interrupted backup, then this one's name.
        for entry in try directoryEntries(domainDirectory) where entry.hasSuffix(".partial") {
            try removeTree(domainDirectory + "/" + entry, kind, domain)
        }
        try await removeLeftoverSnapshots(job)
        let id = freshBackupID(in: domainDirectory)
        let partial = job.partialDirectory(id: id)

        var snapshots: [(disk: BackupJob.Disk, path: String)] = []
        var paused = false
        do {
            // 2. Snapshots, with the domain paused around them.
            if job.pause {
                try await step("pause") { try await run(XenCommands.pause(domain), operation: kind, domain: domain) }
                paused = true
            }
            for disk in job.disks {
                let path = try await snapshot(disk, domain: domain)
                snapshots.append((disk, path))
            }
            if paused {
                try await step("unpause") { try await run(XenCommands.unpause(domain), operation: kind, domain: domain) }
                paused = false
            }
            // 3. The copies.
            guard mkdir(partial, 0o700) == 0 else { throw posixFailure(kind, domain, "cannot create \(partial)") }
            let compress = hasTool("zstd")
            var disks: [BackupRecord.Disk] = []
            for (disk, path) in snapshots {
                disks.append(try await copySnapshot(disk, at: path, into: partial, compress: compress, domain: domain))
            }
            // 4. The record, then the backup exists.
            let record = BackupRecord(
                domain: domain, id: id, directory: Self.withoutTrailingSlash(job.directory), host: hostName,
                time: Self.recordTime(clock()), consistency: job.consistency, config: job.config, disks: disks,
                xenplanVersion: job.xenplanVersion)
            try writeRecord(record, into: partial, domain: domain)
            let complete = job.backupDirectory(id: id)
            guard rename(partial, complete) == 0 else { throw posixFailure(kind, domain, "cannot rename \(partial) to \(complete)") }
        } catch {
            if paused { _ = try? await runner.run(XenCommands.unpause(domain), stdin: nil, timeout: deadlines.operation) }
            for (disk, path) in snapshots.reversed() { await dropSnapshot(disk, at: path) }
            try? removeTree(partial, kind, domain)
            throw error
        }
        // 5. The snapshots go, then the backups beyond `keep`.
        for (disk, path) in snapshots {
            try await step("backup \(id) is complete, but its snapshot \(path) was not removed") {
                try await removeSnapshot(disk, at: path)
            }
        }
        try prune(domainDirectory, keep: job.keep, domain: domain)
    }

    /// What the driver will not do whatever the planner says: a pool directory, volume
    /// groups and names it would pass to LVM, one copy per device.
    private func checkJob(_ job: BackupJob) throws {
        let kind = "backup"
        _ = try XenCommands.domain(job.domain)
        guard paths.imageDirectories.map(Self.withoutTrailingSlash).contains(Self.withoutTrailingSlash(job.directory)) else {
            throw failure(kind, domain: job.domain, "\(shownValue(job.directory)) is not the directory of a dir pool of \(hostName)")
        }
        guard (1...HostStateLimits.maxDevices).contains(job.disks.count) else {
            throw failure(kind, domain: job.domain, "a backup has 1 to \(HostStateLimits.maxDevices) disks, not \(job.disks.count)")
        }
        guard (1...1000).contains(job.keep) else { throw failure(kind, domain: job.domain, "keep is 1 to 1000, not \(job.keep)") }
        guard Set(job.disks.map(\.vdev)).count == job.disks.count else {
            throw failure(kind, domain: job.domain, "a device appears twice among the disks")
        }
        for disk in job.disks {
            guard XlConfig.validVdev(disk.vdev) else { throw failure(kind, domain: job.domain, "\(shownValue(disk.vdev)) is not a device name") }
            guard disk.size.kib > 0, disk.size.isWithinMaximum else {
                throw failure(kind, domain: job.domain, "disk \(disk.vdev): size \(disk.size) is not positive and at most 1 PiB")
            }
            switch disk.poolKind {
            case "lvm":
                try XenCommands.volumeName(disk.container, disk.snapshotName)
            case "dir":
                guard isImageDirectory(disk.container) else {
                    throw failure(kind, domain: job.domain, "disk \(disk.vdev): \(disk.container) is not the directory of a dir pool of \(hostName)")
                }
                _ = try imagePath(disk.container, disk.snapshotName)
            default:
                throw failure(kind, domain: job.domain, "disk \(disk.vdev): pool kind \(shownValue(disk.poolKind)) is neither lvm nor dir")
            }
        }
    }

    /// Runs `body`; a failure's message is prefixed with `what`, the step it was.
    @discardableResult
    private func step<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as HostError {
            throw HostError(host: error.host, operation: error.operation, domain: error.domain, message: "\(what): \(error.message)")
        }
    }

    // MARK: Snapshots

    private func snapshotPath(_ disk: BackupJob.Disk) throws -> String {
        disk.poolKind == "lvm" ? "/dev/\(disk.container)/\(disk.snapshotName)" : try imagePath(disk.container, disk.snapshotName)
    }

    /// `lvcreate -s` for a logical volume; a reflinked (else sparse) copy of an image file.
    private func snapshot(_ disk: BackupJob.Disk, domain: String) async throws -> String {
        let path = try snapshotPath(disk)
        try await step("snapshot of \(disk.vdev)") {
            if disk.poolKind == "lvm" {
                try await run(
                    XenCommands.lvsnapshot(vg: disk.container, origin: disk.volume, name: disk.snapshotName, size: disk.snapshotSize),
                    operation: "backup", domain: domain)
            } else {
                try await run(
                    XenCommands.reflinkCopy(try imagePath(disk.container, disk.volume), to: path), operation: "backup", domain: domain,
                    timeout: deadlines.copyImage)
            }
        }
        return path
    }

    private func removeSnapshot(_ disk: BackupJob.Disk, at path: String) async throws {
        if disk.poolKind == "lvm" {
            try await run(XenCommands.lvremove(vg: disk.container, name: disk.snapshotName), operation: "backup")
        } else if unlink(path) != 0 && errno != ENOENT {
            throw posixFailure("backup", nil, "cannot remove \(path)")
        }
    }

    /// Best effort, on the way out of a failure that is reported instead.
    private func dropSnapshot(_ disk: BackupJob.Disk, at path: String) async {
        if disk.poolKind == "lvm" {
            if let argv = try? XenCommands.lvremove(vg: disk.container, name: disk.snapshotName) {
                _ = try? await runner.run(argv, stdin: nil, timeout: deadlines.operation)
            }
        } else {
            unlink(path)
        }
    }

    /// A `<volume>_snap` of the job's volumes is a leftover of an interrupted backup:
    /// `_` is in no name the manifests give, so it is nobody else's.
    private func removeLeftoverSnapshots(_ job: BackupJob) async throws {
        let groups = Array(Set(job.disks.filter { $0.poolKind == "lvm" }.map(\.container))).sorted()
        let present = groups.isEmpty ? [] : try await volumeNames(in: groups, "backup")
        for disk in job.disks {
            if disk.poolKind == "lvm" {
                guard present.contains("\(disk.container)/\(disk.snapshotName)") else { continue }
                try await step("leftover snapshot \(disk.container)/\(disk.snapshotName)") {
                    try await run(XenCommands.lvremove(vg: disk.container, name: disk.snapshotName), operation: "backup")
                }
            } else {
                try removeLeftover(try imagePath(disk.container, disk.snapshotName), "backup")
            }
        }
    }

    // MARK: Copies and the record

    /// The snapshot's SHA-256, then its copy (`zstd` or a sparse `cp`), private, with the
    /// space it takes.
    private func copySnapshot(
        _ disk: BackupJob.Disk, at path: String, into directory: String, compress: Bool, domain: String
    ) async throws -> BackupRecord.Disk {
        let kind = "backup"
        let file = disk.fileName + (compress ? ".zst" : "")
        let target = directory + "/" + file
        let digest = try await step("checksum of \(disk.vdev)") { try await sha256(of: path, kind, domain: domain) }
        try await step("copy of \(disk.vdev)") {
            try await run(
                compress ? XenCommands.zstdCompress(path, to: target) : XenCommands.copySparse(path, to: target),
                operation: kind, domain: domain, timeout: deadlines.copyImage)
        }
        var st = stat()
        guard lstat(target, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw failure(kind, domain: domain, "copy of \(disk.vdev): \(target) was not written")
        }
        guard chmod(target, 0o600) == 0 else { throw posixFailure(kind, domain, "cannot make \(target) private") }
        return BackupRecord.Disk(
            vdev: disk.vdev, container: disk.container, volume: disk.volume, size: disk.size, file: file, compressed: compress,
            sha256: digest, storedSize: ByteSize(kib: (Int64(st.st_blocks) * 512 + 1023) / 1024))
    }

    private func writeRecord(_ record: BackupRecord, into directory: String, domain: String) throws {
        let kind = "backup"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(record)
        let path = directory + "/" + BackupJob.recordFile
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw posixFailure(kind, domain, "cannot create \(path)") }
        let written = writeFully(fd, data + Data("\n".utf8))
        let synced = fsync(fd) == 0
        close(fd)
        guard written, synced else { throw posixFailure(kind, domain, "cannot write \(path)") }
    }

    // MARK: Names, pruning

    /// `20261202T013000Z` from the host's UTC clock; `-2`, `-3`… when that one exists.
    func freshBackupID(in directory: String) -> String {
        let base = Self.backupID(clock())
        var id = base
        var n = 1
        while access(directory + "/" + id, F_OK) == 0 || access(directory + "/" + id + ".partial", F_OK) == 0 {
            n += 1
            id = "\(base)-\(n)"
        }
        return id
    }

    static func backupID(_ date: Date) -> String { UTCTime(date).compact + "Z" }
    static func recordTime(_ date: Date) -> String { UTCTime(date).iso8601 }

    /// `20261202T013000Z` or `20261202T013000Z-N`, as (time, N) for ordering; nil for any
    /// other name, which pruning never touches.
    static func backupOrder(_ id: String) -> (String, Int)? {
        let parts = id.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let stamp = String(parts[0])
        let bytes = Array(stamp.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z"),
            bytes[0..<8].allSatisfy(Syntax.isDigit), bytes[9..<15].allSatisfy(Syntax.isDigit)
        else { return nil }
        guard parts.count == 2 else { return (stamp, 1) }
        guard let n = Int(parts[1]), n >= 2, n < 1_000_000, String(n) == parts[1] else { return nil }
        return (stamp, n)
    }

    /// Keeps the newest `keep` complete backups of the domain (directories named as this
    /// driver names them); a `.partial` directory and any other name are not touched.
    private func prune(_ domainDirectory: String, keep: Int, domain: String) throws {
        var complete: [(order: (String, Int), name: String)] = []
        for entry in try directoryEntries(domainDirectory) {
            guard let order = Self.backupOrder(entry) else { continue }
            var st = stat()
            guard lstat(domainDirectory + "/" + entry, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { continue }
            complete.append((order, entry))
        }
        complete.sort { $0.order < $1.order }
        for old in complete.dropLast(keep) {
            try removeTree(domainDirectory + "/" + old.name, "backup", domain)
        }
    }

    private func directoryEntries(_ directory: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw failure("backup", "cannot list \(directory): \(ErrorText.of(error))")
        }
    }

    /// A backup directory and what it holds (files only: the driver puts nothing else
    /// there). Absent is done.
    private func removeTree(_ directory: String, _ kind: String, _ domain: String) throws {
        var st = stat()
        guard lstat(directory, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            guard unlink(directory) == 0 else { throw posixFailure(kind, domain, "cannot remove \(directory)") }
            return
        }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            let path = directory + "/" + entry
            guard lstat(path, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                try removeTree(path, kind, domain)
            } else if unlink(path) != 0 && errno != ENOENT {
                throw posixFailure(kind, domain, "cannot remove \(path)")
            }
        }
        guard rmdir(directory) == 0 || errno == ENOENT else { throw posixFailure(kind, domain, "cannot remove \(directory)") }
    }

    /// Whether an executable `name` is in one of the tool directories (`PATH` unless the
    /// paths say otherwise); looked at for each job, so installing zstd takes effect at once.
    func hasTool(_ name: String) -> Bool {
        let directories =
            paths.toolDirectories
            ?? (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            .split(separator: ":").map(String.init)
        return directories.contains { dir in
            var st = stat()
            let path = dir + "/" + name
            return dir.hasPrefix("/") && stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
        }
    }
}
