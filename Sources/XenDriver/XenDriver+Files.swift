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
    /// Writes the domain's xl configuration atomically: a new file created 0600 next to
    /// the old one, flushed, then renamed over it, so a crash leaves either file whole.
    /// Then makes the `/etc/xen/auto` link match `autostart`.
    func writeConfig(_ config: DomainConfig) throws {
        let text = try XlConfig.render(config)
        let path = paths.configPath(config.name)
        try FileManager.default.createDirectory(
            atPath: paths.configDirectory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        try writeAtomically(
            text, to: path, temporary: TemporaryName.beside("\(config.name).cfg", in: paths.configDirectory), mode: 0o600,
            operation: "write-config", domain: config.name)
        try setAutostart(config.name, config.autostart)
    }

    /// Writes `text` to `temporary` (created with `mode`, flushed), then renames it over
    /// `path`: a crash leaves either file whole, never half of one.
    func writeAtomically(_ text: String, to path: String, temporary: String, mode: mode_t, operation: String, domain: String?) throws {
        unlink(temporary)
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw posixFailure(operation, domain, "cannot create \(temporary)") }
        // The process's umask must not narrow the mode (ifupdown files are read by all).
        let written = fchmod(fd, mode) == 0 && writeFully(fd, Data(text.utf8))
        let synced = fsync(fd) == 0
        close(fd)
        guard written, synced else {
            unlink(temporary)
            throw posixFailure(operation, domain, "cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw posixFailure(operation, domain, "cannot rename \(temporary) to \(path)")
        }
    }

    /// The `xendomains` link: `<auto>/<name>.cfg → <config dir>/<name>.cfg`, replaced
    /// atomically through a temporary link.
    func setAutostart(_ name: String, _ enabled: Bool) throws {
        let link = paths.autoLink(name)
        guard enabled else {
            if unlink(link) != 0 && errno != ENOENT { throw posixFailure("write-config", name, "cannot remove \(link)") }
            return
        }
        try FileManager.default.createDirectory(atPath: paths.autoDirectory, withIntermediateDirectories: true)
        let temporary = TemporaryName.beside("\(name).cfg", in: paths.autoDirectory)
        unlink(temporary)
        guard symlink(paths.configPath(name), temporary) == 0 else {
            throw posixFailure("write-config", name, "cannot create link \(temporary)")
        }
        guard rename(temporary, link) == 0 else {
            unlink(temporary)
            throw posixFailure("write-config", name, "cannot rename link to \(link)")
        }
    }

    func removeConfig(_ name: String) throws {
        _ = try XenCommands.domain(name)
        try setAutostart(name, false)
        let path = paths.configPath(name)
        if unlink(path) != 0 && errno != ENOENT { throw posixFailure("remove-config", name, "cannot remove \(path)") }
        try removeSeed(name)
    }

    // MARK: Image files of dir pools

    func imagePath(_ directory: String, _ name: String) throws -> String {
        // A volume name is `<domain>-<disk>`: no `/`, so the file stays in its pool.
        guard XlConfig.validName(name) || (name.allSatisfy { $0.isLetter || $0.isNumber || "._-".contains($0) } && !name.hasPrefix(".")) else {
            throw XlConfigError("'\(name)' is not a volume name")
        }
        return (directory.hasSuffix("/") ? directory : directory + "/") + name + ".img"
    }

    /// A sparse raw file: created exclusively (never over an existing guest's disk), 0600,
    /// and sized with ftruncate so no block is written.
    func createImage(directory: String, name: String, size: ByteSize) throws {
        let path = try imagePath(directory, name)
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw posixFailure("create-volume", nil, "cannot create \(path)") }
        defer { close(fd) }
        guard ftruncate(fd, off_t(size.kib) * 1024) == 0 else {
            let saved = errno
            unlink(path)
            errno = saved
            throw posixFailure("create-volume", nil, "cannot size \(path) to \(size)")
        }
        // Marks the file as xenplan's. A filesystem without user attributes leaves it
        // unmarked: the file is then never reported as an orphan, the safe side.
        _ = fsetxattr(fd, Self.ownerAttribute, "1", 1, 0)
    }

    /// Grows only: a smaller size would cut the guest's filesystem.
    func growImage(directory: String, name: String, size: ByteSize) throws {
        let path = try imagePath(directory, name)
        let fd = Glibc.open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw posixFailure("grow-volume", nil, "cannot open \(path)") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw posixFailure("grow-volume", nil, "cannot stat \(path)") }
        let bytes = off_t(size.kib) * 1024
        guard bytes >= st.st_size else {
            throw failure("grow-volume", "\(path) is \(ByteSize(kib: Int64(st.st_size) / 1024)), larger than \(size): refusing to shrink")
        }
        guard ftruncate(fd, bytes) == 0 else { throw posixFailure("grow-volume", nil, "cannot grow \(path)") }
    }

    /// The extended attribute that marks an image file xenplan created.
    static let ownerAttribute = "user.xenplan"

    static func isOwnedImage(_ path: String) -> Bool { getxattr(path, ownerAttribute, nil, 0) >= 0 }

    func removeImage(directory: String, name: String) throws {
        let path = try imagePath(directory, name)
        if unlink(path) != 0 && errno != ENOENT { throw posixFailure("remove-volume", nil, "cannot remove \(path)") }
    }

    func posixFailure(_ operation: String, _ domain: String?, _ what: String) -> HostError {
        failure(operation, domain: domain, "\(what): \(String(cString: strerror(errno)))")
    }
}
