import FoundationEssentials
import HostModel
import XenplanBasics

extension SimHostFile {
    /// What the first step of a backup did, for the steps after it.
    struct BackupStart: Hashable, Sendable {
        /// The backup's name, from the host's UTC clock (`20261202T013000Z`, `-2`… added).
        var id: String
        /// When it started, `2026-12-02T01:30:00Z`.
        var time: String
        /// The UUID of the domain paused for the snapshots; nil when none was.
        var paused: String?
    }

    /// A simulated disk compresses to half its size under zstd (sim hosts have zstd).
    public static func storedSize(of size: ByteSize) -> ByteSize { ByteSize(kib: max(1, size.kib / 2)) }

    /// Seconds the domain stays paused (the `backup` latency: making the snapshots) and
    /// the copy takes (every disk at `imageCopyRate`), before the driver's speed.
    public func backupSeconds(_ job: BackupJob) -> (pause: Double, copy: Double) {
        let bytes = job.disks.map(\.size).reduce(.zero, +)
        return (latencies["backup"] ?? 0, Double(bytes.kib) / Double(Self.imageCopyRate.kib))
    }

    /// The backup's name and time as the host's UTC clock gives them at `now`.
    static func backupName(at now: Date) -> (id: String, time: String) {
        let time = UTCTime(now)
        return (time.compact + "Z", time.iso8601)
    }

    /// Backup ids in the order they were taken: by time, then by the `-N` suffix as a number.
    static func backupOrder(_ a: String, _ b: String) -> Bool {
        func split(_ id: String) -> (String, Int) {
            let parts = id.split(separator: "-", maxSplits: 1)
            return (String(parts[0]), parts.count == 2 ? Int(parts[1]) ?? 0 : 1)
        }
        let (x, y) = (split(a), split(b))
        return x.0 != y.0 ? x.0 < y.0 : x.1 < y.1
    }

    /// Steps 1 and 2 of a backup: the id chosen, leftover snapshots of the job's volumes
    /// removed (an interrupted backup's), the domain paused when `job.pause`, every disk
    /// snapshotted. An LVM snapshot reserves `snapshotSize` of its volume group; a `dir`
    /// pool's is a copy of the file (no reflink: the whole size). The caller unpauses.
    mutating func beginBackup(_ job: BackupJob, now: Date, fail: (String) -> HostError) throws -> BackupStart {
        guard let pool = storage[job.directory], pool.type == .dir else { throw fail(XlMessages.dirNotFound(job.directory)) }
        let (base, time) = Self.backupName(at: now)
        var id = base, n = 1
        while pool.backups.contains(where: { $0.domain == job.domain && $0.id == id }) {
            n += 1
            id = "\(base)-\(n)"
        }
        removeSnapshots(of: job)
        var paused: String?
        if job.pause {
            guard let i = domainIndex(job.domain), job.domain != "0", job.domain != "Domain-0" else {
                throw fail(XlMessages.invalidDomain(job.domain))
            }
            domains[i].state = .paused
            paused = domains[i].uuid
        }
        for disk in job.disks { try snapshot(disk, fail: fail) }
        return BackupStart(id: id, time: time, paused: paused)
    }

    /// `xl unpause`: whatever happened, the domain paused for the snapshots runs again.
    mutating func endBackupPause(_ start: BackupStart) {
        guard let uuid = start.paused, let i = domains.firstIndex(where: { $0.uuid == uuid && $0.transient == nil }),
            domains[i].state == .paused
        else { return }
        domains[i].state = .running
    }

    /// Steps 3 to 5: each snapshot's content recorded and copied (compressed) into the
    /// pool, the record written, the snapshots removed, backups beyond `keep` pruned.
    /// Throws without a change when a snapshot is gone or the copies do not fit.
    mutating func finishBackup(_ job: BackupJob, _ start: BackupStart, host: String, fail: (String) -> HostError) throws {
        guard storage[job.directory]?.type == .dir else { throw fail(XlMessages.dirNotFound(job.directory)) }
        var disks: [BackupRecord.Disk] = []
        for disk in job.disks {
            guard let sha256 = content(container: disk.container, volume: disk.snapshotName) else {
                throw fail(missingVolumeMessage(container: disk.container, volume: disk.snapshotName))
            }
            disks.append(
                BackupRecord.Disk(
                    vdev: disk.vdev, container: disk.container, volume: disk.volume, size: disk.size,
                    file: disk.fileName + ".zst", compressed: true, sha256: sha256,
                    storedSize: Self.storedSize(of: disk.size)))
        }
        let record = BackupRecord(
            domain: job.domain, id: start.id, directory: job.directory, host: host, time: start.time,
            consistency: job.consistency, config: job.config, disks: disks, xenplanVersion: job.xenplanVersion)
        let partial = BackupJob.domainDirectory(directory: job.directory, domain: job.domain) + "/" + start.id + ".partial"
        var written = ByteSize.zero
        for disk in disks {
            written += disk.storedSize
            guard written <= freeSpace(in: job.directory) else { throw fail(XlMessages.noSpace(partial + "/" + disk.file)) }
        }
        var pool = storage[job.directory]!
        pool.backups.append(record)
        let mine = pool.backups.filter { $0.domain == job.domain }.map(\.id).sorted(by: Self.backupOrder)
        let dropped = Set(mine.dropLast(max(job.keep, 1)))
        pool.backups.removeAll { $0.domain == job.domain && dropped.contains($0.id) }
        pool.backups.sort { $0.domain != $1.domain ? $0.domain < $1.domain : Self.backupOrder($0.id, $1.id) }
        storage[job.directory] = pool
        removeSnapshots(of: job)
    }

    /// `lvremove -f VG/V_snap` / `rm -f DIR/V_snap.img` for every disk of `job`.
    mutating func removeSnapshots(of job: BackupJob) {
        for disk in job.disks where storage[disk.container]?.volumes[disk.snapshotName] != nil {
            storage[disk.container]?.volumes[disk.snapshotName] = nil
            storage[disk.container]?.contents[disk.snapshotName] = nil
            storage[disk.container]?.setOwned(disk.snapshotName, false)
        }
    }

    /// `lvcreate -s -n V_snap -L SNAPSIZE VG/V` or `cp --reflink=auto --sparse=always`.
    private mutating func snapshot(_ disk: BackupJob.Disk, fail: (String) -> HostError) throws {
        guard var container = storage[disk.container] else {
            throw fail(disk.container.hasPrefix("/") ? XlMessages.dirNotFound(disk.container) : XlMessages.vgNotFound(disk.container))
        }
        guard let size = container.volumes[disk.volume], let content = content(container: disk.container, volume: disk.volume)
        else {
            throw fail(missingVolumeMessage(container: disk.container, volume: disk.volume))
        }
        switch container.type {
        case .lvm:
            let required = XlMessages.extents(disk.snapshotSize)
            let freeExtents = freeSpace(in: disk.container).kib / XlMessages.extent.kib
            guard required <= freeExtents else {
                throw fail(XlMessages.vgFull(vg: disk.container, freeExtents: freeExtents, required: required))
            }
            container.volumes[disk.snapshotName] = ByteSize(kib: required * XlMessages.extent.kib)
        case .dir:
            guard size <= freeSpace(in: disk.container) else {
                throw fail(XlMessages.noSpace(devicePath(container: disk.container, volume: disk.snapshotName)))
            }
            container.volumes[disk.snapshotName] = size
        }
        container.contents[disk.snapshotName] = content
        storage[disk.container] = container
    }

    /// LVM's or the file system's words for a volume that is not there.
    func missingVolumeMessage(container: String, volume: String) -> String {
        storage[container]?.type == .lvm
            ? XlMessages.lvNotFound(vg: container, name: volume)
            : XlMessages.dirNotFound(devicePath(container: container, volume: volume))
    }

    /// The backed-up disk whose copy is at `path`, in any `dir` pool of this host.
    func backedUpDisk(at path: String) -> BackupRecord.Disk? {
        for name in storage.keys.sorted() {
            for record in storage[name]!.backups {
                if let disk = record.disks.first(where: { record.path(of: $0) == path }) { return disk }
            }
        }
        return nil
    }

    /// Seconds a restore of `source` takes before the driver's speed: the latency plus the
    /// volume written at `imageCopyRate` (only the latency when the copy is not here).
    public func restoreVolumeSeconds(_ source: BackupSource) -> Double {
        let bytes = backedUpDisk(at: source.path)?.size ?? .zero
        return (latencies["restore-volume"] ?? 0) + Double(bytes.kib) / Double(Self.imageCopyRate.kib)
    }

    /// A volume filled from a backup's copy, like one filled from an image: made under a
    /// temporary name (room for it needed beside an old volume it replaces), its content
    /// checked against `source.sha256`, then the old volume removed (`replace`; refused
    /// while a domain uses it) and the new one named and tagged. A refusal changes nothing.
    mutating func restoreVolume(
        container name: String, name volume: String, size: ByteSize, source: BackupSource, replace: Bool,
        fail: (String) -> HostError
    ) throws {
        guard let container = storage[name] else {
            throw fail(name.hasPrefix("/") ? XlMessages.dirNotFound(name) : XlMessages.vgNotFound(name))
        }
        let exists = container.volumes[volume] != nil
        if exists, !replace {
            throw fail(
                container.type == .lvm
                    ? XlMessages.lvExists(vg: name, name: volume)
                    : XlMessages.fileExists(devicePath(container: name, volume: volume)))
        }
        guard let disk = backedUpDisk(at: source.path) else { throw fail(XlMessages.dirNotFound(source.path)) }
        let partial = VolumeState.partialName(volume)
        let partialPath =
            container.type == .lvm ? devicePath(container: name, volume: partial) : devicePath(container: name, volume: volume) + ".partial"
        if container.type == .dir, size > freeSpace(in: name) { throw fail(XlMessages.noSpace(partialPath)) }
        try createVolume(container: name, name: partial, size: size, fail: fail)
        guard disk.size <= size else { throw fail(XlMessages.noSpace(partialPath)) }
        guard disk.sha256 == source.sha256 else {
            throw fail(XlMessages.restoreChecksum(source, volume: partialPath, actual: disk.sha256))
        }
        if exists { try removeVolume(container: name, name: volume, fail: fail) }
        var restored = storage[name]!
        restored.volumes[volume] = restored.volumes[partial]
        restored.volumes[partial] = nil
        restored.setOwned(partial, false)
        restored.setOwned(volume, true)
        restored.contents[volume] = disk.sha256
        storage[name] = restored
    }
}
