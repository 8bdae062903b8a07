import XenplanBasics

/// The ranges an observed `HostState` must lie in before anything plans from it. A host's
/// answer is input like a manifest: an agent may be another version, a program posing as
/// one, or a host whose files were tampered with. Every driver's observation passes
/// through `checked`, so the planner only ever sees sizes of at most 1 PiB, counts within
/// what Xen can have, and text without control characters; sums of such values stay far
/// from Int64's limits, so no arithmetic downstream can overflow.
///
/// Text is escaped (`TerminalText`), not refused: xl accepts domain names the manifests'
/// rule does not (`Domain-0`, capitals, `_`), and such a domain is legitimately reported
/// as unmanaged. A name that fails `Syntax.isName` can never match a declared domain, and
/// the agent refuses it in any operation, so its escaped form is only ever displayed.
public enum HostStateLimits {
    /// Memory and volume sizes: 0 to 1 PiB, as for manifests.
    public static let maxSize = ByteSize.maximum
    /// Physical CPUs: Xen on x86 is built for at most 4095.
    public static let cpus = 1...4096
    /// Online and maximum vCPUs of one domain (dom0 may have one per physical CPU).
    public static let vcpus = 0...4096
    /// Domain ids below `DOMID_FIRST_RESERVED` (0x7FF0); the rest are Xen's own.
    public static let domids = 0...0x7FEF
    /// Domains on one host, and configurations xenplan keeps: one per domain id at most.
    public static let maxDomains = 0x7FF0
    /// Volumes in the volume groups and image directories the lab declares.
    public static let maxVolumes = 65_536
    /// Bridges, and interfaces on one bridge (Linux's `BR_MAX_PORTS`).
    public static let maxBridges = 4_096
    public static let maxBridgeInterfaces = 1_024
    /// Image files one host holds (the lab declares each), and seed files (one per domain).
    public static let maxImages = 4_096
    public static let maxSeeds = maxDomains
    /// Save files, and backup records, one host reports.
    public static let maxSaves = 10_000
    public static let maxBackups = 10_000
    /// Disks and network interfaces of one domain.
    public static let maxDevices = 256
    /// Credit scheduler weight; cap in percent of one CPU, up to every vCPU of a domain.
    public static let cpuWeight = 0...65_535
    public static let cpuCap = 0...409_600
    /// Any text (a name, a path, a version): xenstore's own limit on a value.
    public static let maxTextBytes = 4_096

    /// A value outside its range: which field, and why.
    public struct Violation: Error, Hashable, Sendable, CustomStringConvertible {
        public var field: String
        public var problem: String
        public init(field: String, problem: String) {
            self.field = field
            self.problem = problem
        }
        public var description: String { "\(field) \(problem)" }
    }

    /// `state` with its numbers checked and its text escaped, or the `HostError` a driver
    /// throws for `host`: the host's name and the first value out of range.
    public static func checked(_ state: HostState, host: String) throws(HostError) -> HostState {
        do {
            return try checked(state)
        } catch {
            throw HostError(
                host: host, operation: "observe",
                message: "the host reported \(error); nothing is planned from such a state")
        }
    }

    public static func checked(_ state: HostState) throws(Violation) -> HostState {
        var s = state
        s.name = try text(state.name, "the host name")
        s.xenVersion = try text(state.xenVersion, "the Xen version")
        try size(state.totalMemory, "totalMemory")
        try size(state.freeMemory, "freeMemory")
        try size(state.dom0Memory, "dom0Memory")
        try number(state.cpus, cpus, "cpus")
        try count(state.domains.count, maxDomains, "domains")
        try count(state.configs.count, maxDomains, "configurations")
        try count(state.volumes.count, maxVolumes, "volumes")
        try count(state.bridges.count, maxBridges, "bridges")
        try count(state.images.count, maxImages, "images")
        try count(state.seeds.count, maxSeeds, "seeds")
        s.domains = try state.domains.map { d throws(Violation) in try checked(d) }
        s.configs = try state.configs.map { c throws(Violation) in try checked(c) }
        s.volumes = try state.volumes.map { v throws(Violation) in
            var v = v
            let what = "volume \(shownValue(v.container))/\(shownValue(v.name))"
            v.container = try text(v.container, "the container of \(what)")
            v.name = try text(v.name, "the name of \(what)")
            try size(v.size, "the size of \(what)")
            return v
        }
        s.bridges = try state.bridges.map { b throws(Violation) in
            var b = b
            let what = "bridge \(shownValue(b.name))"
            b.name = try text(b.name, "the name of \(what)")
            try count(b.interfaces.count, maxBridgeInterfaces, "interfaces of \(what)")
            b.interfaces = try b.interfaces.map { i throws(Violation) in try text(i, "an interface of \(what)") }
            try count(b.vlans.count, maxBridgeInterfaces, "VLAN ports of \(what)")
            b.vlans = try b.vlans.map { v throws(Violation) in
                guard (0...4095).contains(v.id) else { throw Violation(field: "the VLAN id of \(what)", problem: "is outside 0–4095") }
                return VlanPort(
                    name: try text(v.name, "a VLAN port of \(what)"), parent: try text(v.parent, "a VLAN port's interface of \(what)"), id: v.id)
            }
            return b
        }
        if var p = state.persistence {
            try count(p.files.count, maxBridges, "bridge files")
            p.files = try p.files.map { f throws(Violation) in
                guard f.text.utf8.count <= BridgeFile.maxBytes else {
                    throw Violation(field: "the ifupdown file of bridge \(shownValue(f.bridge))", problem: "is over \(BridgeFile.maxBytes) bytes")
                }
                // The text is compared, never shown or run: only the name is escaped.
                return ObservedBridgeFile(bridge: try text(f.bridge, "a bridge file's bridge"), text: f.text)
            }
            s.persistence = p
        }
        s.images = try state.images.map { i throws(Violation) in try checked(i) }
        s.seeds = try state.seeds.map { d throws(Violation) in try text(d, "a seed's domain") }
        try count(state.saves.count, maxSaves, "save files")
        try count(state.backups.count, maxBackups, "backups")
        s.saves = try state.saves.map { f throws(Violation) in
            var f = f
            let what = "save file \(shownValue(f.path))"
            f.directory = try text(f.directory, "the directory of \(what)")
            f.domain = try text(f.domain, "the domain of \(what)")
            try size(f.size, "the size of \(what)")
            return f
        }
        s.backups = try state.backups.map { b throws(Violation) in try checked(b) }
        return s
    }

    public static func checked(_ record: BackupRecord) throws(Violation) -> BackupRecord {
        var r = record
        let what = "backup \(shownValue(record.id)) of \(shownValue(record.domain))"
        for (value, field) in [
            (\BackupRecord.domain, "domain"), (\.id, "id"), (\.directory, "directory"), (\.host, "host"), (\.time, "time"),
            (\.consistency, "consistency"), (\.xenplanVersion, "xenplanVersion"),
        ] {
            r[keyPath: value] = try text(record[keyPath: value], "the \(field) of \(what)")
        }
        if let config = record.config { r.config = try checked(config) }
        try count(record.disks.count, maxDevices, "disks of \(what)")
        r.disks = try record.disks.map { d throws(Violation) in
            var d = d
            for (value, field) in [
                (\BackupRecord.Disk.vdev, "vdev"), (\.container, "container"), (\.volume, "volume"), (\.file, "file"), (\.sha256, "sha256"),
            ] {
                d[keyPath: value] = try text(d[keyPath: value], "the \(field) of a disk of \(what)")
            }
            try size(d.size, "the size of a disk of \(what)")
            try size(d.storedSize, "the stored size of a disk of \(what)")
            return d
        }
        return r
    }

    public static func checked(_ image: ImageState) throws(Violation) -> ImageState {
        var i = image
        let what = "image \(shownValue(image.path))"
        i.path = try text(i.path, "the path of \(what)")
        i.format = try text(i.format, "the format of \(what)")
        try size(i.fileSize, "the file size of \(what)")
        try size(i.virtualSize, "the virtual size of \(what)")
        return i
    }

    public static func checked(_ domain: DomainState) throws(Violation) -> DomainState {
        var d = domain
        let what = "domain \(shownValue(domain.name))"
        d.name = try text(d.name, "the name of \(what)")
        d.uuid = try text(d.uuid, "the uuid of \(what)")
        d.type = try text(d.type, "the type of \(what)")
        try number(d.domid, domids, "the domid of \(what)")
        try size(d.memoryTarget, "memoryTarget of \(what)")
        try size(d.memoryStaticMax, "memoryStaticMax of \(what)")
        try size(d.memoryActual, "memoryActual of \(what)")
        try number(d.vcpusOnline, vcpus, "vcpusOnline of \(what)")
        try number(d.maxVcpus, vcpus, "maxVcpus of \(what)")
        try number(d.cpuWeight, cpuWeight, "cpuWeight of \(what)")
        try number(d.cpuCap, cpuCap, "cpuCap of \(what)")
        try count(d.disks.count, maxDevices, "disks of \(what)")
        try count(d.nics.count, maxDevices, "network interfaces of \(what)")
        d.disks = try d.disks.map { disk throws(Violation) in
            let (vdev, target) = try device(disk.vdev, disk.target, of: what)
            return DiskState(vdev: vdev, target: target, readOnly: disk.readOnly)
        }
        d.nics = try d.nics.map { nic throws(Violation) in
            let (bridge, mac, ip) = try interface(nic.bridge, nic.mac, nic.ip, of: what)
            return NicState(bridge: bridge, mac: mac ?? "", ip: ip)
        }
        return d
    }

    public static func checked(_ config: DomainConfig) throws(Violation) -> DomainConfig {
        var c = config
        let what = "configuration \(shownValue(config.name))"
        c.name = try text(c.name, "the name of \(what)")
        c.uuid = try c.uuid.map { u throws(Violation) in try text(u, "the uuid of \(what)") }
        c.type = try text(c.type, "the type of \(what)")
        c.manifestHash = try text(c.manifestHash, "the manifest hash of \(what)")
        try size(c.memory, "memory of \(what)")
        try size(c.maxmem, "maxmem of \(what)")
        try number(c.vcpus, vcpus, "vcpus of \(what)")
        try number(c.maxvcpus, vcpus, "maxvcpus of \(what)")
        try number(c.cpuWeight, cpuWeight, "cpuWeight of \(what)")
        try number(c.cpuCap, cpuCap, "cpuCap of \(what)")
        if case let .kernel(kernel, ramdisk, cmdline) = c.boot {
            c.boot = .kernel(
                kernel: try text(kernel, "the kernel of \(what)"),
                ramdisk: try ramdisk.map { r throws(Violation) in try text(r, "the ramdisk of \(what)") },
                cmdline: try cmdline.map { l throws(Violation) in try text(l, "the command line of \(what)") })
        }
        try count(c.disks.count, maxDevices, "disks of \(what)")
        try count(c.nics.count, maxDevices, "network interfaces of \(what)")
        c.disks = try c.disks.map { disk throws(Violation) in
            let (vdev, target) = try device(disk.vdev, disk.target, of: what)
            return DomainConfig.Disk(vdev: vdev, target: target, readOnly: disk.readOnly)
        }
        if let seed = c.seed {
            let (vdev, target) = try device(seed.vdev, seed.target, of: what)
            try count(seed.identity.count, maxDevices, "the seed identity of \(what)")
            var identity: [String: String] = [:]
            for (key, value) in seed.identity {
                identity[try text(key, "a seed identity key of \(what)")] = try text(value, "the seed's \(shownValue(key)) of \(what)")
            }
            c.seed = DomainConfig.Seed(vdev: vdev, target: target, identity: identity)
        }
        c.nics = try c.nics.map { nic throws(Violation) in
            let (bridge, mac, ip) = try interface(nic.bridge, nic.mac, nic.ip, of: what)
            return DomainConfig.Nic(
                bridge: bridge, mac: mac, ip: ip,
                rate: try nic.rate.map { r throws(Violation) in try text(r, "a network interface's rate of \(what)") },
                vifname: try nic.vifname.map { n throws(Violation) in try text(n, "a network interface's vifname of \(what)") })
        }
        if var hvm = c.hvm {
            try count(hvm.bootOrder.count, DomainConfig.maxBootOrder, "the boot order of \(what)")
            hvm.cdrom = try hvm.cdrom.map { p throws(Violation) in try text(p, "the CD-ROM of \(what)") }
            if let vnc = hvm.vnc {
                hvm.vnc?.listen = try text(vnc.listen, "the VNC address of \(what)")
                if let display = vnc.display { try number(display, DomainConfig.Hvm.Vnc.displays, "the VNC display of \(what)") }
            }
            c.hvm = hvm
        }
        return c
    }

    /// A disk's vdev and target, escaped.
    static func device(_ vdev: String, _ target: String, of what: String) throws(Violation) -> (String, String) {
        (try text(vdev, "a disk's vdev of \(what)"), try text(target, "a disk's target of \(what)"))
    }

    /// A network interface's bridge, MAC and IP, escaped.
    static func interface(
        _ bridge: String, _ mac: String?, _ ip: String?,
        of what: String
    ) throws(Violation) -> (String, String?, String?) {
        (
            try text(bridge, "a network interface's bridge of \(what)"),
            try mac.map { m throws(Violation) in try text(m, "a network interface's MAC of \(what)") },
            try ip.map { i throws(Violation) in try text(i, "a network interface's IP of \(what)") }
        )
    }

    // MARK: - The checks, shared with the simulated host's file

    public static func size(_ value: ByteSize, _ field: String) throws(Violation) {
        guard value.isWithinMaximum else {
            throw Violation(field: field, problem: "= \(value.kib) KiB, outside 0 KiB–1 PiB")
        }
    }

    public static func number(_ value: Int, _ range: ClosedRange<Int>, _ field: String) throws(Violation) {
        guard range.contains(value) else {
            throw Violation(field: field, problem: "= \(value), outside \(range.lowerBound)–\(range.upperBound)")
        }
    }

    public static func count(_ value: Int, _ maximum: Int, _ field: String) throws(Violation) {
        guard value <= maximum else {
            throw Violation(field: field, problem: "= \(value), more than the \(maximum) a host can have")
        }
    }

    /// The text, escaped for a terminal, unless it is longer than `maxTextBytes`.
    public static func text(_ value: String, _ field: String) throws(Violation) -> String {
        guard value.utf8.count <= maxTextBytes else {
            throw Violation(field: field, problem: "is \(value.utf8.count) bytes long, more than \(maxTextBytes)")
        }
        return TerminalText.escaped(value)
    }
}
