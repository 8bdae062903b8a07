import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The name a file is written under before it is renamed into place:
/// `DIR/.NAME.PID.N.tmp`, N counting within this process. The process id keeps two
/// xenplan processes apart, the count two writes of one process (an agent serving
/// several requests at once, an apply's parallel actions on the local host): neither
/// removes or renames the other's file.
enum TemporaryName {
    private static let count = Atomic<Int>(0)

    static func beside(_ name: String, in directory: String) -> String {
        let n = count.add(1, ordering: .relaxed).newValue
        return "\(directory)/.\(name).\(getpid()).\(n).tmp"
    }
}
