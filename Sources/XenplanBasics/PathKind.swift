#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a path names, links followed: the one question asked of a path before it is
/// read or searched.
public enum PathKind: Sendable, Equatable {
    case directory, regularFile, other

    /// Nil when nothing is there, or it cannot be looked at.
    public static func of(_ path: String) -> PathKind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regularFile
        default: return .other
        }
    }
}
