import FoundationEssentials
import HostModel
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension XenDriver {
    /// The NoCloud seed of a domain, put in place whole: its three files written in a
    /// fresh private directory beside the seed directory, `genisoimage` run on them, the
    /// disk made 0600 (it holds the password hash), flushed and renamed over the old one.
    /// The private directory is removed whatever happens.
    func writeSeed(_ seed: CloudInitSeed) async throws {
        let kind = "write-seed"
        let domain = Syntax.isName(seed.domain) ? seed.domain : nil
        if let (field, message) = seed.firstProblem { throw failure(kind, domain: domain, "\(field): \(message)") }
        let directory = paths.seedDirectory
        guard XlConfig.validPath(directory) else {
            throw failure(kind, domain: domain, "seed directory \(shownValue(directory)) is not a safe absolute path")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw failure(kind, domain: domain, "cannot create \(directory): \(ErrorText.of(error))")
        }
        let workspace = try makePrivateDirectory(beside: directory, for: seed.domain)
        defer { removeWorkspace(workspace) }
        var files: [(name: String, path: String)] = []
        for (name, text) in [("user-data", seed.userData), ("meta-data", seed.metaData), ("network-config", seed.networkConfig)] {
            let path = "\(workspace)/\(name)"
            let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw posixFailure(kind, domain, "cannot create \(path)") }
            let written = writeFully(fd, Data(text.utf8))
            close(fd)
            guard written else { throw posixFailure(kind, domain, "cannot write \(path)") }
            files.append((name, path))
        }
        let output = "\(workspace)/seed.iso"
        try await run(XenCommands.genisoimage(output: output, files: files), operation: kind, domain: domain, package: "genisoimage")
        guard chmod(output, 0o600) == 0 else { throw posixFailure(kind, domain, "cannot make \(output) private") }
        let fd = Glibc.open(output, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw posixFailure(kind, domain, "cannot open \(output)") }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced else { throw posixFailure(kind, domain, "cannot flush \(output)") }
        let path = paths.seedPath(seed.domain)
        guard rename(output, path) == 0 else { throw posixFailure(kind, domain, "cannot rename \(output) to \(path)") }
    }

    /// `<parent of dir>/.seed-NAME.XXXXXX`, created 0700 by `mkdtemp`: on the seed
    /// directory's filesystem (so the finished disk is renamed, not copied), and outside
    /// it (so observation never sees a half-written seed).
    private func makePrivateDirectory(beside directory: String, for domain: String) throws -> String {
        let parent = PathText.parent(directory)
        var template = Array(((parent == "/" ? "" : parent) + "/.seed-\(domain).XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!).map { String(cString: $0) } }
        guard let made else { throw posixFailure("write-seed", domain, "cannot create a private directory in \(parent)") }
        return made
    }

    private func removeWorkspace(_ workspace: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: workspace)) ?? [] { unlink("\(workspace)/\(name)") }
        rmdir(workspace)
    }

    /// The domain's seed, when it has one: it holds the password hash, so it does not
    /// outlive the domain's configuration.
    func removeSeed(_ name: String) throws {
        let path = paths.seedPath(name)
        if unlink(path) != 0 && errno != ENOENT { throw posixFailure("remove-config", name, "cannot remove \(path)") }
    }

    /// Domains with a seed: `<name>.iso` regular files of the seed directory whose name is
    /// a domain name, in name order.
    func observeSeeds() -> [String] {
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: paths.seedDirectory) else { return [] }
        var names: [String] = []
        for file in files where file.hasSuffix(".iso") {
            let name = String(file.dropLast(4))
            var st = stat()
            guard XlConfig.validName(name), lstat(paths.seedPath(name), &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            names.append(name)
        }
        return names.sorted()
    }
}
