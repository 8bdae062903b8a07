import FoundationEssentials
import HostModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bridges and the interfaces enslaved to them, read from sysfs: no process to start,
/// which on a loaded dom0 costs hundreds of milliseconds.
public enum SysfsBridges {
    /// A bridge is an entry of `root` (normally `/sys/class/net`) with a `bridge`
    /// directory; its members are the names in `<root>/<bridge>/brif/`. Xen's backend
    /// interfaces (`vif3.0`, `vif3.0-emu`) come and go with domains: they are the
    /// domains' NICs, not the bridge's configuration, and are left out.
    public static func read(root: String) throws(XlConfigError) -> [BridgeState] {
        guard let interfaces = try entries(root) else {
            throw XlConfigError("\(root) does not exist: is sysfs mounted?")
        }
        var bridges: [BridgeState] = []
        for name in interfaces.sorted() where isDirectory("\(root)/\(name)/bridge") {
            // Gone since the listing: a bridge deleted meanwhile is no bridge.
            guard let ports = try entries("\(root)/\(name)/brif") else { continue }
            bridges.append(BridgeState(name: name, interfaces: ports.filter { !isXenBackend($0) }.sorted()))
        }
        return bridges
    }

    static func isXenBackend(_ name: String) -> Bool {
        guard name.hasPrefix("vif") else { return false }
        let rest = name.dropFirst(3)
        let parts = rest.split(separator: ".", maxSplits: 1)
        return parts.count == 2 && parts[0].allSatisfy(\.isASCIIDigit) && parts[1].first?.isASCIIDigit == true
    }

    private static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// The names in a directory; nil when it does not exist (an interface can vanish
    /// between two reads).
    private static func entries(_ path: String) throws(XlConfigError) -> [String]? {
        guard let dir = opendir(path) else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw XlConfigError("cannot read \(path): \(String(cString: strerror(code)))")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
