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
    /// A volume filled from a backup's copy, the way a volume is filled from an image
    /// (`fillNewVolume`): under its partial name, the copy decompressed (`zstd -d`) or
    /// copied in (`dd` onto a logical volume, a sparse `cp` into a file), its content's
    /// SHA-256 compared with the recorded one, and only then named `name`. With
    /// `replace`, the existing volume is removed only after the digest matched.
    func restoreVolume(container: String, name: String, size: ByteSize, source: BackupSource, replace: Bool) async throws {
        let kind = "restore-volume"
        let domain = Syntax.isName(source.domain) ? source.domain : nil
        guard XlConfig.validPath(source.path) else {
            throw failure(kind, domain: domain, "backup copy \(shownValue(source.path)) is not a safe absolute path")
        }
        guard ImageSource.isSHA256(source.sha256) else {
            throw failure(kind, domain: domain, "backup sha256 \(shownValue(source.sha256)) is not 64 lower-case hexadecimal digits")
        }
        let label = isImageDirectory(container) ? "\(container)/\(name).img" : "\(container)/\(name)"
        try await fillNewVolume(
            kind: kind, container: container, name: name, size: size, replace: replace,
            existing: "a backup is restored over an existing volume only when data loss is allowed",
            check: {
                var st = stat()
                guard stat(source.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                    throw failure(kind, domain: domain, "backup copy \(source.path) is not a regular file on \(hostName)")
                }
            },
            fill: { target, device in
                let argv: [String]
                switch (source.compressed, device) {
                case (true, _): argv = try XenCommands.zstdDecompress(source.path, to: target, device: device)
                case (false, true): argv = try XenCommands.ddImage(source.path, to: target)
                case (false, false): argv = try XenCommands.copySparse(source.path, to: target)
                }
                try await run(
                    argv, operation: kind, domain: domain, package: source.compressed ? "zstd" : nil, timeout: deadlines.copyImage)
            },
            verify: { target in
                let actual = try await sha256(of: target, kind, domain: domain)
                guard actual == source.sha256 else {
                    throw failure(
                        kind, domain: domain,
                        "\(label) restored from backup \(source.id) of \(source.domain) (\(source.path)) has sha256 \(actual), expected \(source.sha256)"
                            + (replace ? "; the existing volume is left as it was" : ""))
                }
            })
    }
}
