import FoundationEssentials
import HostModel
import XenplanBasics

extension SimDriver {
    /// `save`, `restore`, `remove-save`: refused at once when they would be; otherwise
    /// the memory moves for its time (`SimHostFile.saveSeconds`, × speed) and the change
    /// happens at the end. A save file in a shared `dir` pool is on every host sharing it.
    /// An interrupted save (the task cancelled) leaves `DOMAIN.save.partial` beside a
    /// guest that runs on, as a killed `xl save` would.
    func saveOperation(_ operation: HostOperation) async throws {
        let directory: String
        switch operation {
        case let .save(_, d), let .restore(_, d), let .removeSave(_, d, _): directory = d
        default: return
        }
        let now = clock.now()
        let seconds: Double = try store.withLocks([hostName]) { session in
            var probe = try session.file(hostName)
            let seconds = probe.saveSeconds(operation, at: now)
            try probe.apply(operation, host: hostName, now: now)
            return seconds
        }
        do {
            try await sleep(seconds)
        } catch {
            if case let .save(domain, _) = operation {
                try changeShared([directory]) { file, _ in file.interruptedSave(domain: domain, directory: directory) }
            }
            throw error
        }
        let end = clock.now()
        try changeShared([directory]) { file, _ in try file.apply(operation, host: hostName, now: end) }
    }

    /// A backup in its steps (`BackupJob`): snapshots made with the domain paused for the
    /// `backup` latency (its state reads `paused` meanwhile), the domain unpaused, the
    /// copy's time at 200 MiB/s, then the record, the snapshots' removal and the pruning.
    /// A refusal at any step leaves no snapshot, no record and the domain running; an
    /// interrupted backup (the task cancelled) unpauses the domain but leaves its
    /// snapshots, as a killed run would, for the next backup to remove.
    func backup(_ job: BackupJob) async throws {
        let fail = { (message: String) in
            HostError(host: self.hostName, operation: "backup", domain: job.domain, message: message)
        }
        let containers = [job.directory] + job.disks.map(\.container)
        let now = clock.now()
        let (start, seconds) = try changeShared(containers) { file, _ in
            (try file.beginBackup(job, now: now, fail: fail), file.backupSeconds(job))
        }
        do {
            try await sleep(seconds.pause)
        } catch {
            try edit { $0.endBackupPause(start) }
            throw error
        }
        try edit { $0.endBackupPause(start) }
        try await sleep(seconds.copy)
        let refusal: HostError? = try changeShared(containers) { file, _ in
            var copy = file
            do {
                try copy.finishBackup(job, start, host: hostName, fail: fail)
                file = copy
                return nil
            } catch let error as HostError {
                file.removeSnapshots(of: job)
                return error
            }
        }
        if let refusal { throw refusal }
    }

    /// `restore-volume`: like a copy from an image, with the backup's copy as source.
    func restoreVolume(_ operation: HostOperation, source: BackupSource) async throws {
        try await fillVolume(operation) { $0.restoreVolumeSeconds(source) }
    }
}
