import FoundationEssentials
import HostModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The apply lock of a host whose driver has none of its own: a `DirectoryHostLock` with
/// the record `<directory>/<host>.apply.lock` (on a dom0, `/run/xenplan`, which a reboot
/// empties, as it does every process that could hold the lock).
public enum FileHostLock {
    public static func make(host: String, directory: URL) -> DirectoryHostLock {
        DirectoryHostLock(
            host: host, directory: directory.path, recordName: "\(host).apply.lock",
            guardName: ".\(host).apply.guard"
        ) { what in
            HostError(host: host, operation: "lock", message: "cannot \(what): \(String(cString: strerror(errno)))")
        }
    }
}
