/// Names and places a manifest may not claim, because Xen, xl or the dom0's own system
/// already uses them.
extension Syntax {
    /// Suffixes `xl migrate` gives the two copies of a domain while it moves; a declared
    /// name with one of them would be taken for an interrupted migration and settled.
    public static let migrationSuffixes = ["--incoming", "--migratedaway"]

    /// Why `name` cannot name a domain, or nil when it can.
    public static func reservedDomainName(_ name: String) -> String? {
        if let suffix = migrationSuffixes.first(where: { name.hasSuffix($0) }) {
            return "names ending in '\(suffix)' are what xl calls a domain while it migrates"
        }
        if name.lowercased() == "domain-0" { return "it is the name of dom0" }
        return nil
    }

    /// Directories a `dir` pool may not be (or, for the first list, be inside): image
    /// files written there could replace system files or fill the dom0's own filesystems.
    static let systemTrees = [
        "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/run",
        "/sbin", "/sys", "/usr", "/var/lib/xen", "/var/run",
    ]
    static let systemDirectories = [
        "/", "/home", "/mnt", "/media", "/opt", "/root", "/srv", "/tmp", "/var", "/var/lib",
        "/var/log",
    ]

    /// The system directory `path` is, or lies in; nil for a directory a pool may use.
    public static func systemDirectory(containing path: String) -> String? {
        let clean = "/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
        if systemDirectories.contains(clean) { return clean }
        return systemTrees.first { clean == $0 || clean.hasPrefix($0 + "/") }
    }

    /// The logical volume a device path names, `(volume group, volume)`, whichever way it
    /// is spelled: `/dev/VG/LV`, or `/dev/mapper/VG-LV` where dashes inside either name
    /// are doubled. Nil for any other device.
    public static func logicalVolume(atDevice path: String) -> (group: String, volume: String)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3, parts[0] == "dev" else { return nil }
        if parts[1] == "mapper" { return splitMapperName(parts[2]) }
        guard isVolumeGroup(parts[1]),
            ![
                "disk", "mapper", "pts", "shm", "net", "block", "char", "bus", "cpu",
                "input", "snd", "dri", "hugepages", "mqueue", "xen",
            ].contains(parts[1])
        else { return nil }
        return (parts[1], parts[2])
    }

    /// One spelling per block device or image file, so that `/dev/mapper/san-ldap--root`
    /// and `/dev/san/ldap-root` compare equal: `lv:GROUP/VOLUME` or `file:/CLEAN/PATH`.
    public static func deviceIdentity(_ path: String) -> String {
        if let lv = logicalVolume(atDevice: path) { return "lv:\(lv.group)/\(lv.volume)" }
        return "file:/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    /// `san-ldap--root` → (`san`, `ldap-root`): device-mapper joins the two names with one
    /// dash after doubling the dashes inside each.
    static func splitMapperName(_ name: String) -> (group: String, volume: String)? {
        let scalars = Array(name.unicodeScalars)
        var i = 0
        while i < scalars.count {
            if scalars[i] == "-" {
                if i + 1 < scalars.count && scalars[i + 1] == "-" { i += 2; continue }
                let group = String(String.UnicodeScalarView(scalars[..<i])).replacingDoubledDashes()
                let volume = String(String.UnicodeScalarView(scalars[(i + 1)...])).replacingDoubledDashes()
                guard !group.isEmpty, !volume.isEmpty else { return nil }
                return (group, volume)
            }
            i += 1
        }
        return nil
    }
}

private extension String {
    func replacingDoubledDashes() -> String {
        var out = ""
        var previousDash = false
        for c in self {
            if c == "-" && previousDash { previousDash = false; continue }
            previousDash = c == "-"
            out.append(c)
        }
        return out
    }
}
