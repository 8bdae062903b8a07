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
    /// A new volume filled from an image: the image checked first (a regular file, the
    /// format it is declared with, no larger than the volume, its SHA-256 when given),
    /// then copied under a temporary name, and only then renamed to `name`. A volume of
    /// that name is therefore always complete, and is never written over.
    func createVolumeFromImage(container: String, name: String, size: ByteSize, image: ImageSource) async throws {
        let kind = "copy-image"
        if let (field, message) = image.firstProblem { throw failure(kind, "image.\(field): \(message)") }
        try await fillNewVolume(
            kind: kind, container: container, name: name, size: size, replace: false,
            existing: "a volume is filled from an image only when it is created",
            check: { try await checkImage(image, fits: size) },
            fill: { target, device in try await copy(image, to: target, device: device) })
    }

    /// The one way a volume is filled with content (from an image, from a backup): any
    /// leftover of an interrupted fill removed, `check` run, a new volume made under a
    /// name no manifest can give (`NAME_partial` logical volume, untagged; `NAME.img.partial`
    /// file), `fill` given its path (and whether it is a block device) to write the content,
    /// `verify` given it once it has its size, and only then the volume named `name` and marked as xenplan's. Without
    /// `replace` an existing volume of that name is refused (`existing` says why); with it,
    /// the old volume goes only once the new one is complete and verified. On failure the
    /// partial volume is removed and an existing one is left as it was.
    func fillNewVolume(
        kind: String, container: String, name: String, size: ByteSize, replace: Bool, existing reason: String,
        check: () async throws -> Void, fill: (_ target: String, _ device: Bool) async throws -> Void,
        verify: (_ target: String) async throws -> Void = { _ in }
    ) async throws {
        guard size.kib > 0 else { throw failure(kind, "volume size must be positive") }
        if isImageDirectory(container) {
            let path = try imagePath(container, name)
            if !replace { try refuseExisting(path, kind, reason) }
            let partial = path + ".partial"
            try removeLeftover(partial, kind)
            try await check()
            do {
                try await fill(partial, false)
                try finishFile(partial, size: size, kind)
                try await verify(partial)
                if replace {
                    // The old file is replaced in one step, only now that the new one is whole.
                    guard rename(partial, path) == 0 else { throw posixFailure(kind, nil, "cannot rename \(partial) to \(path)") }
                } else {
                    // A link fails when `path` exists, where a rename would replace it.
                    guard link(partial, path) == 0 else { throw posixFailure(kind, nil, "cannot rename \(partial) to \(path)") }
                    unlink(partial)
                }
            } catch {
                unlink(partial)
                throw error
            }
        } else {
            let partial = VolumeState.partialName(name)
            let names = try await volumeNames(in: [container], kind)
            let present = names.contains("\(container)/\(name)")
            if present && !replace {
                throw failure(kind, "volume \(container)/\(name) already exists: \(reason)")
            }
            if names.contains("\(container)/\(partial)") {
                try await run(XenCommands.lvremove(vg: container, name: partial), operation: kind)
            }
            try await check()
            try await run(XenCommands.lvcreate(vg: container, name: partial, size: size, tagged: false), operation: kind)
            do {
                try await fill("/dev/\(container)/\(partial)", true)
                try await verify("/dev/\(container)/\(partial)")
                if present { try await run(XenCommands.lvremove(vg: container, name: name), operation: kind) }
                try await run(XenCommands.lvrename(vg: container, from: partial, to: name), operation: kind)
            } catch {
                _ = try? await runner.run(XenCommands.lvremove(vg: container, name: partial), stdin: nil, timeout: deadlines.operation)
                throw error
            }
            try await run(XenCommands.lvAddOwnerTag(vg: container, name: name), operation: kind)
        }
    }

    /// The logical volumes of some volume groups, as one `lvs` lists them.
    func volumeNames(in vgs: [String], _ kind: String) async throws -> Set<String> {
        let command: [String]
        do { command = try LVMReport.command(volumeGroups: vgs) } catch { throw failure(kind, "\(error)") }
        let result = try await run(command, operation: kind, timeout: deadlines.observe)
        do {
            return Set(try LVMReport.parse(result.stdout).filter { vgs.contains($0.container) }.map { "\($0.container)/\($0.name)" })
        } catch {
            throw failure(kind, "\(error)")
        }
    }

    private func refuseExisting(_ path: String, _ kind: String, _ reason: String) throws {
        var st = stat()
        if lstat(path, &st) == 0 {
            throw failure(kind, "\(path) already exists: \(reason)")
        }
        guard errno == ENOENT else { throw posixFailure(kind, nil, "cannot look at \(path)") }
    }

    func removeLeftover(_ path: String, _ kind: String) throws {
        if unlink(path) != 0 && errno != ENOENT { throw posixFailure(kind, nil, "cannot remove the leftover \(path)") }
    }

    /// The image as it is on this host: a regular file, really of its declared format, whose
    /// disk fits in `size`, with the declared SHA-256. The cheap checks come first: hashing
    /// reads the whole file.
    private func checkImage(_ image: ImageSource, fits size: ByteSize) async throws {
        let kind = "copy-image"
        guard let (header, _) = try readImageHeader(image.path, operation: kind) else {
            throw failure(kind, "image \(image.name) (\(image.path)) is not a regular file on \(hostName)")
        }
        guard header.format == image.format else {
            throw failure(kind, "image \(image.name) (\(image.path)) on \(hostName) is \(header.format), declared \(image.format)")
        }
        let virtual = ImageHeader.size(header.virtualBytes)
        guard virtual <= size else { throw failure(kind, "image \(image.name) is \(virtual), larger than the \(size) disk") }
        guard let expected = image.sha256 else { return }
        let actual = try await sha256(of: image.path, kind)
        guard actual == expected else {
            throw failure(kind, "image \(image.name) (\(image.path)) on \(hostName) has sha256 \(actual), expected \(expected)")
        }
    }

    /// `sha256sum` of a file or device: its lower-case hex digest.
    func sha256(of path: String, _ kind: String, domain: String? = nil) async throws -> String {
        let result = try await run(XenCommands.sha256sum(path), operation: kind, domain: domain, timeout: deadlines.copyImage)
        let digest = String(result.stdout.prefix(64))
        guard ImageSource.isSHA256(digest) else {
            throw failure(kind, domain: domain, "sha256sum printed no digest for \(path): \(shownValue(result.stdout))")
        }
        return digest
    }

    /// The image's disk into `target`: `qemu-img convert` for qcow2 (`-n`: into the
    /// existing logical volume), else `dd` onto a device or `cp` into a new file.
    private func copy(_ image: ImageSource, to target: String, device: Bool) async throws {
        let argv: [String]
        switch (image.format, device) {
        case ("qcow2", _): argv = try XenCommands.qemuImgConvert(image.path, to: target, existingTarget: device)
        case (_, true): argv = try XenCommands.ddImage(image.path, to: target)
        case (_, false): argv = try XenCommands.copySparse(image.path, to: target)
        }
        try await run(
            argv, operation: "copy-image", package: image.format == "qcow2" ? "qemu-utils" : nil,
            timeout: deadlines.copyImage)
    }

    /// The partial file of a `dir` pool once its content is in: sized to the volume,
    /// marked as xenplan's, 0600, flushed.
    func finishFile(_ partial: String, size: ByteSize, _ kind: String) throws {
        let fd = Glibc.open(partial, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw posixFailure(kind, nil, "cannot open \(partial)") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw failure(kind, "\(partial) is not a regular file") }
        guard ftruncate(fd, off_t(size.kib) * 1024) == 0 else { throw posixFailure(kind, nil, "cannot size \(partial) to \(size)") }
        guard fchmod(fd, 0o600) == 0 else { throw posixFailure(kind, nil, "cannot make \(partial) private") }
        _ = fsetxattr(fd, Self.ownerAttribute, "1", 1, 0)
        guard fsync(fd) == 0 else { throw posixFailure(kind, nil, "cannot flush \(partial)") }
    }

    /// A regular file's header and size; nil when `path` is absent or not a regular file.
    /// A file that exists and cannot be read is an error saying why.
    func readImageHeader(_ path: String, operation: String) throws -> (header: ImageHeader, fileBytes: UInt64)? {
        // Looked at before it is opened: opening a device or a pipe can have effects of its own.
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw posixFailure(operation, nil, "cannot stat \(path)")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw posixFailure(operation, nil, "cannot read \(path)") }
        defer { close(fd) }
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        var buffer = [UInt8](repeating: 0, count: ImageHeader.length)
        var filled = 0
        while filled < buffer.count {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, $0.count - filled, off_t(filled)) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw posixFailure(operation, nil, "cannot read \(path)") }
            if n == 0 { break }
            filled += n
        }
        let fileBytes = UInt64(max(0, st.st_size))
        return (ImageHeader(bytes: Array(buffer.prefix(filled)), fileBytes: fileBytes), fileBytes)
    }

    /// The declared image files present on this host, in the order given; an absent path
    /// (or one that is not a regular file, or not a path at all) is simply not listed.
    func observeImages() throws -> [ImageState] {
        var seen = Set<String>()
        var images: [ImageState] = []
        for path in paths.imagePaths.prefix(ImageSource.maxObservedPaths)
        where XlConfig.validPath(path) && seen.insert(path).inserted {
            guard let (header, fileBytes) = try readImageHeader(path, operation: "observe") else { continue }
            images.append(
                ImageState(
                    path: path, fileSize: ImageHeader.size(fileBytes),
                    virtualSize: ImageHeader.size(header.virtualBytes), format: header.format))
        }
        return images
    }
}
