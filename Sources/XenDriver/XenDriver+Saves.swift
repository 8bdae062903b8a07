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
    /// `xl save` into `<directory>/DOMAIN.save.partial`, then renamed to `DOMAIN.save`:
    /// a file of that name is always complete. The partial file is created empty and 0600
    /// before xl opens it (xl truncates it and keeps its mode), so the guest's memory is
    /// never readable by others, not even while it is written. On failure the partial file
    /// is removed; xl itself resumes the domain when its save fails.
    func save(domain: String, directory: String) async throws {
        let kind = "save"
        let config = paths.configPath(try XenCommands.domain(domain))
        let dir = try saveDirectory(directory, kind, domain)
        try makePrivateDirectory(dir, kind, domain)
        let partial = SaveState.path(directory: dir, domain: domain, partial: true)
        let path = SaveState.path(directory: dir, domain: domain)
        if unlink(partial) != 0 && errno != ENOENT { throw posixFailure(kind, domain, "cannot remove the leftover \(partial)") }
        let fd = Glibc.open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw posixFailure(kind, domain, "cannot create \(partial)") }
        close(fd)
        do {
            try await run(XenCommands.save(domain, to: partial, config: config), operation: kind, domain: domain, timeout: deadlines.migrate)
            // The domain is gone: its memory is in this file alone from here on.
            guard chmod(partial, 0o600) == 0 else { throw posixFailure(kind, domain, "cannot make \(partial) private") }
            guard rename(partial, path) == 0 else { throw posixFailure(kind, domain, "cannot rename \(partial) to \(path)") }
        } catch {
            unlink(partial)
            throw error
        }
    }

    /// `xl restore CONFIG FILE`, then the save file removed: restoring it a second time
    /// would run the guest on disks that moved on. Refused while a domain of that name
    /// runs here (one copy only) or when there is no save file.
    func restore(domain: String, directory: String) async throws {
        let kind = "restore"
        let config = paths.configPath(try XenCommands.domain(domain))
        let dir = try saveDirectory(directory, kind, domain)
        let path = SaveState.path(directory: dir, domain: domain)
        if try currentDomid(of: domain) != nil {
            throw failure(kind, domain: domain, "\(domain) already runs on \(hostName): restoring \(path) would start a second copy")
        }
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw failure(kind, domain: domain, "there is no save file \(path) on \(hostName)")
        }
        try await builds.take {
            try await run(XenCommands.restore(config: config, from: path), operation: kind, domain: domain, timeout: deadlines.migrate)
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw posixFailure(kind, domain, "\(domain) runs again, but its save file \(path) could not be removed; remove it by hand")
        }
    }

    /// Unlinks exactly `<directory>/DOMAIN.save` (or `.save.partial`); absent is done.
    func removeSave(domain: String, directory: String, partial: Bool) throws {
        let kind = "remove-save"
        _ = try XenCommands.domain(domain)
        let path = SaveState.path(directory: try saveDirectory(directory, kind, domain), domain: domain, partial: partial)
        if unlink(path) != 0 && errno != ENOENT { throw posixFailure(kind, domain, "cannot remove \(path)") }
    }

    /// `directory` without a trailing `/`, when it is the save directory or a `dir` pool's:
    /// the only places the driver writes save files.
    private func saveDirectory(_ directory: String, _ kind: String, _ domain: String) throws -> String {
        let dir = Self.withoutTrailingSlash(directory)
        guard XlConfig.validPath(dir), paths.saveDirectories.map(Self.withoutTrailingSlash).contains(dir) else {
            throw failure(
                kind, domain: domain,
                "\(shownValue(directory)) is neither the save directory \(paths.saveDirectory) nor the directory of a dir pool of \(hostName)")
        }
        return dir
    }

    static func withoutTrailingSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// Creates `directory` (and what leads to it) 0700 when it is missing.
    func makePrivateDirectory(_ directory: String, _ kind: String, _ domain: String?) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw failure(kind, domain: domain, "cannot create \(directory): \(ErrorText.of(error))")
        }
    }

    // MARK: Observation

    /// Save files in the save directory and the `dir` pools' directories: `<domain>.save`
    /// and `<domain>.save.partial` regular files whose name is a domain name.
    func observeSaves() -> [SaveState] {
        var saves: [SaveState] = []
        var seen = Set<String>()
        for dir in paths.saveDirectories.map(Self.withoutTrailingSlash) where seen.insert(dir).inserted {
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for file in files.sorted() {
                let partial = file.hasSuffix(SaveState.partialSuffix)
                guard partial || file.hasSuffix(SaveState.suffix) else { continue }
                let domain = String(file.dropLast((partial ? SaveState.partialSuffix : SaveState.suffix).count))
                var st = stat()
                guard XlConfig.validName(domain), lstat(dir + "/" + file, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
                let size = min(ByteSize(kib: (Int64(st.st_size) + 1023) / 1024), ByteSize.maximum)
                saves.append(SaveState(directory: dir, domain: domain, size: size, partial: partial))
                if saves.count >= Self.maxObservedFiles { return saves }
            }
        }
        return saves
    }

    /// The most save files or backup records one observation reports.
    static let maxObservedFiles = 10_000
}
