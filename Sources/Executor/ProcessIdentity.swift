import FoundationEssentials
import HostModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What this process and the processes it judges are, read from `/proc` (Linux).
public struct ProcessIdentity: Hashable, Sendable {
    public var bootID: String?
    public var machineID: String?
    public var pidNamespace: UInt64?
    public var startTime: UInt64?

    /// This process. Fields that cannot be read stay nil, and a record without them is
    /// never judged stale by anyone.
    public static func current() -> ProcessIdentity {
        var namespace = stat()
        return ProcessIdentity(
            bootID: firstLine("/proc/sys/kernel/random/boot_id"),
            machineID: firstLine("/etc/machine-id") ?? firstLine("/var/lib/dbus/machine-id"),
            pidNamespace: stat("/proc/self/ns/pid", &namespace) == 0 ? UInt64(namespace.st_ino) : nil,
            startTime: readFile("/proc/self/stat").flatMap(startTime(ofStat:)))
    }

    /// What `/proc` shows of `pid`, when `/proc` is this PID namespace's own: a process
    /// in a namespace whose `/proc` was not mounted again would otherwise look up its pids
    /// among another namespace's.
    @Sendable public static func sighting(_ pid: Int32) -> ProcessSighting {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = readlink("/proc/self", &buffer, buffer.count - 1)
        guard n > 0, String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) == String(getpid()) else {
            return .unknown
        }
        guard let text = readFile("/proc/\(pid)/stat") else { return errno == ENOENT || errno == ESRCH ? .gone : .unknown }
        guard let fields = fieldsAfterName(text), fields.count > 19, let start = UInt64(fields[19]) else { return .unknown }
        // A zombie has ended: it holds nothing any more, it only waits for its parent.
        if fields[0] == "Z" || fields[0] == "X" { return .gone }
        return .running(startTime: start)
    }

    /// Field 22 of `/proc/PID/stat`. The name (field 2) is in parentheses and may hold
    /// spaces and parentheses itself, so fields are counted from its last `)`.
    static func startTime(ofStat text: String) -> UInt64? {
        guard let fields = fieldsAfterName(text), fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    /// Fields 3 and after.
    private static func fieldsAfterName(_ text: String) -> [Substring]? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
    }

    private static func firstLine(_ path: String) -> String? {
        guard let text = readFile(path) else { return nil }
        let line = text.split(separator: "\n").first.map { $0.trimmingSpaces() } ?? ""
        return line.isEmpty ? nil : line
    }

    /// Reads a whole (small) file; files of `/proc` report no size, so this reads to the end.
    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            data.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }
}
