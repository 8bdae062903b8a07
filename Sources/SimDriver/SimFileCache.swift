import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Host files as decoded and checked, by path, for as long as the file on disk is the
/// same one: a host's file is only ever replaced whole (a rename), so a file whose
/// device, inode, size, modification and change times are those of the decoded one holds
/// the same bytes. Decoding a host of hundreds of domains takes longer than the
/// operation it serves; an apply re-reads each host many times, mostly unchanged.
struct SimFileCache: Sendable {
    /// What `stat` says about a file, enough to tell another version from this one.
    struct Identity: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var modifiedNanoseconds: Int64
        var changed: Int64
        var changedNanoseconds: Int64

        /// The file at `path` as it is now; nil when there is none (or not a regular file).
        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            self.init(info)
        }

        /// The open file `descriptor`.
        init?(descriptor: Int32) {
            var info = stat()
            guard fstat(descriptor, &info) == 0 else { return nil }
            self.init(info)
        }

        private init?(_ info: stat) {
            guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            #if canImport(Glibc)
                modified = Int64(info.st_mtim.tv_sec)
                modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
                changed = Int64(info.st_ctim.tv_sec)
                changedNanoseconds = Int64(info.st_ctim.tv_nsec)
            #else
                modified = Int64(info.st_mtimespec.tv_sec)
                modifiedNanoseconds = Int64(info.st_mtimespec.tv_nsec)
                changed = Int64(info.st_ctimespec.tv_sec)
                changedNanoseconds = Int64(info.st_ctimespec.tv_nsec)
            #endif
        }
    }

    private static let entries = Mutex<[String: (Identity, SimHostFile)]>([:])

    /// The file decoded earlier from `path`, if the file there is still that one.
    static func file(at path: String, identity: Identity) -> SimHostFile? {
        entries.withLock { entries in
            guard let (known, file) = entries[path], known == identity else { return nil }
            return file
        }
    }

    /// Remembers a file this process wrote.
    static func remember(_ file: SimHostFile, at path: String, identity: Identity) {
        entries.withLock { $0[path] = (identity, file) }
    }

    /// Remembers a file read from disk, unless it changed within the last second: a file
    /// rewritten in place within one tick of the file system's clock keeps its times, so
    /// only a file that has settled is known by them (as git treats a racily clean file).
    static func rememberRead(_ file: SimHostFile, at path: String, identity: Identity) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        guard Int64(now.tv_sec) - identity.modified > 1 else { return }
        remember(file, at: path, identity: identity)
    }
}
