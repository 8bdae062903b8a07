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
    /// The longest `record.json` read: a record is a few KiB.
    static let maxRecordBytes = 1 << 20

    /// Complete backups in the `dir` pools: `<dir>/xenplan-backups/<domain>/<id>/record.json`,
    /// `.partial` directories left out. A record is untrusted input (anyone who can write
    /// the pool can write one): one that is too large, not JSON of a `BackupRecord`, names
    /// another domain or id than its directories, or holds a value out of range is ignored.
    func observeBackups() -> [BackupRecord] {
        var records: [BackupRecord] = []
        var seen = Set<String>()
        for dir in paths.imageDirectories.map(Self.withoutTrailingSlash) where seen.insert(dir).inserted {
            let base = dir + "/" + BackupJob.folder
            for domain in Self.entries(base) where XlConfig.validName(domain) {
                for id in Self.entries(base + "/" + domain) where !id.hasSuffix(".partial") {
                    guard let record = Self.readRecord(base + "/" + domain + "/" + id + "/" + BackupJob.recordFile) else { continue }
                    guard var checked = Self.checkedRecord(record, domain: domain, id: id) else { continue }
                    checked.directory = dir
                    records.append(checked)
                    if records.count >= Self.maxObservedFiles { return records }
                }
            }
        }
        return records
    }

    private static func entries(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// The record when it is a regular file of at most `maxRecordBytes` that decodes.
    static func readRecord(_ path: String) -> BackupRecord? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size <= maxRecordBytes else { return nil }
        var buffer = [UInt8](repeating: 0, count: maxRecordBytes + 1)
        var filled = 0
        while filled < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { break }
            filled += n
        }
        guard filled <= maxRecordBytes else { return nil }
        return try? JSONDecoder().decode(BackupRecord.self, from: Data(buffer.prefix(filled)))
    }

    /// The record when it belongs where it lies and its values are in range; nil otherwise.
    static func checkedRecord(_ record: BackupRecord, domain: String, id: String) -> BackupRecord? {
        guard record.domain == domain, record.id == id, record.format >= 1 else { return nil }
        guard (1...HostStateLimits.maxDevices).contains(record.disks.count) else { return nil }
        var r = record
        do {
            r.host = try HostStateLimits.text(record.host, "host")
            r.time = try HostStateLimits.text(record.time, "time")
            r.consistency = try HostStateLimits.text(record.consistency, "consistency")
            r.xenplanVersion = try HostStateLimits.text(record.xenplanVersion, "xenplanVersion")
            if let config = record.config {
                guard config.name == domain else { return nil }
                r.config = try HostStateLimits.checked(config)
            }
            for (i, disk) in record.disks.enumerated() {
                try HostStateLimits.size(disk.size, "size")
                try HostStateLimits.size(disk.storedSize, "storedSize")
                guard disk.size.kib > 0, XlConfig.validVdev(disk.vdev), ImageSource.isSHA256(disk.sha256),
                    disk.file == disk.vdev + ".img" + (disk.compressed ? ".zst" : ""),
                    Syntax.isVolumeGroup(disk.volume),
                    disk.container.hasPrefix("/") ? XlConfig.validPath(disk.container) : Syntax.isVolumeGroup(disk.container)
                else { return nil }
                r.disks[i] = disk
            }
        } catch {
            return nil
        }
        return r
    }
}
