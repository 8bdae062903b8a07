import XenplanBasics
import XenplanYAML

extension ManifestDecoder {
    static let domainKeys =
        [
            "host", "group", "memory", "maxmem", "vcpus", "maxvcpus", "cpu", "type", "boot",
        ] + hvmKeys + [
            "disks", "network", "restart", "protect", "state", "saves", "shutdownTimeout",
        ] + identityKeys + ["backups"]
    static let defaultsKeys = [
        "memory", "maxmem", "vcpus", "maxvcpus", "cpu", "type", "boot", "network",
        "restart", "shutdownTimeout", "state", "saves", "passwordHash", "seed", "identityChanges",
    ]
    /// The smallest memory a guest can boot with.
    static let minimumDomainMemory = ByteSize.mib(32)
    static let maximumVcpus = 512
    static let vcpusRange = 1...maximumVcpus
    static let cpuKeys = ["weight", "cap"]
    static let cpuWeightRange = 1...65535
    /// Percent of one CPU; the cap against the domain's own `maxvcpus` is `LabAssembler`'s.
    static let cpuCapRange = 0...(100 * maximumVcpus)
    static let shutdownTimeoutRange = 1...3600
    /// `boot:` as a word; otherwise a mapping of `bootKeys`.
    static let pygrub = "pygrub"
    static let pvgrub = "pvgrub"
    static let bootKeys = ["kernel", "ramdisk", "cmdline"]
    static let bootRequiredKeys = ["kernel"]
    static let diskKeys = ["name", "size", "vdev", "pool", "path", "mode", "source"]
    static let diskRequiredKeys = ["name", "vdev"]
    /// `mode:` of a disk, as written.
    enum DiskMode: String, CaseIterable {
        case ro, rw
    }
    static let minimumDiskSize = ByteSize.mib(1)
    /// Where an existing device (`path:`) must be.
    static let devicePrefix = "/dev/"
    static let diskSourceKeys = ["image"]

    mutating func decodeDomains(_ node: Node) {
        for (name, entry) in namedEntries(node, section: "domains", kind: "domain") {
            if let why = Syntax.reservedDomainName(name) {
                reader.report(.reservedName(name, why: why, at: entry.keyLocation))
            }
            var domain = DeclaredDomain(name: name, location: entry.keyLocation)
            decodeDomainBody(entry.value, into: &domain, what: "domain \(shown(name))", isDefaults: false)
            file.domains.append(domain)
        }
    }

    func decodeDomainBody(_ node: Node, into domain: inout DeclaredDomain, what: String, isDefaults: Bool) {
        let perDomain = "set it on each domain"
        let fields: [String: NodeReader.Entry]?
        if isDefaults {
            fields = reader.object(
                node, what, keys: Self.defaultsKeys, at: domain.location,
                notAllowedHere: [
                    "host": perDomain, "group": perDomain, "disks": perDomain, "protect": perDomain,
                    "hostname": perDomain + " (it defaults to the domain's name)",
                    "sshKeys": "keys every guest accepts go in the top-level sshKeys",
                    "backups": "the lab-wide policy is the top-level backups",
                ].merging(Self.hvmKeys.map { ($0, perDomain + " (for hvm guests only)") }) { a, _ in a })
        } else {
            fields = reader.object(node, what, keys: Self.domainKeys, at: domain.location)
        }
        guard let fields else { return }
        for (key, field) in fields { domain.keys[key] = reader.location(field.value) }

        domain.host = fields["host"].flatMap { reader.name($0.value, for: "host of \(what)") }
        domain.group = fields["group"].flatMap { reader.name($0.value, for: "group of \(what)") }
        domain.memory = fields["memory"].flatMap { reader.size($0.value, for: "memory of \(what)", atLeast: Self.minimumDomainMemory) }
        domain.maxmem = fields["maxmem"].flatMap { reader.size($0.value, for: "maxmem of \(what)", atLeast: Self.minimumDomainMemory) }
        domain.vcpus = fields["vcpus"].flatMap { reader.int($0.value, for: "vcpus of \(what)", in: Self.vcpusRange) }
        domain.maxvcpus = fields["maxvcpus"].flatMap { reader.int($0.value, for: "maxvcpus of \(what)", in: Self.vcpusRange) }
        if let field = fields["cpu"],
            let cpu = reader.object(field.value, "cpu of \(what)", keys: Self.cpuKeys, at: field.keyLocation)
        {
            domain.cpuWeight = cpu["weight"].flatMap { reader.int($0.value, for: "cpu weight of \(what)", in: Self.cpuWeightRange) }
            domain.cpuCap = cpu["cap"].flatMap { reader.int($0.value, for: "cpu cap of \(what)", in: Self.cpuCapRange) }
            if let weight = domain.cpuWeight { domain.keys["cpu.weight"] = weight.location }
            if let cap = domain.cpuCap { domain.keys["cpu.cap"] = cap.location }
        }
        domain.type = fields["type"].flatMap { reader.choice($0.value, for: "type of \(what)", as: GuestType.self) }
        domain.boot = fields["boot"].flatMap { decodeBoot($0.value, of: what) }
        decodeHvm(fields, into: &domain, what: what)
        if let field = fields["disks"], let items = reader.list(field.value, for: "disks of \(what)") {
            domain.disks = items.enumerated().compactMap { decodeDisk($1, index: $0, of: what) }
        }
        if let field = fields["network"], let items = reader.list(field.value, for: "network of \(what)") {
            let nics = items.enumerated().compactMap { decodeNic($1, index: $0, of: what) }
            domain.network = Declared(value: nics, location: reader.location(field.value))
        }
        domain.restart = fields["restart"].flatMap { reader.choice($0.value, for: "restart of \(what)", as: RestartPolicy.self) }
        domain.protect = fields["protect"].flatMap { reader.bool($0.value, for: "protect of \(what)") }
        domain.state = fields["state"].flatMap { reader.choice($0.value, for: "state of \(what)", as: DesiredRunState.self) }
        domain.saves = fields["saves"].flatMap { reader.name($0.value, for: "saves of \(what)") }
        domain.shutdownTimeout = fields["shutdownTimeout"].flatMap {
            reader.int($0.value, for: "shutdownTimeout of \(what)", in: Self.shutdownTimeoutRange)
        }
        decodeIdentity(fields, into: &domain, what: what)
        if let entry = fields["backups"] {
            domain.backups = decodeBackups(entry, what: "backups of \(what)", required: [], allowsNone: true)
        }
    }

    /// `pygrub`, `pvgrub`, or `{kernel, ramdisk, cmdline}` for a kernel kept in dom0.
    private func decodeBoot(_ node: Node, of what: String) -> Declared<BootSpec>? {
        let field = "boot of \(what)"
        if case let .scalar(scalar) = node, !reader.isNull(node) {
            switch scalar.string {
            case Self.pygrub: return Declared(value: .pygrub, location: reader.location(node))
            case Self.pvgrub: return Declared(value: .pvgrub, location: reader.location(node))
            default:
                reader.report(
                    .error(
                        "\(field) must be pygrub, pvgrub or a mapping {kernel, ramdisk, cmdline}, not \(shown(scalar.string))",
                        at: reader.location(node)))
                return nil
            }
        }
        guard case .mapping = node else {
            reader.report(
                .wrongType(
                    expected: "pygrub, pvgrub or a mapping {kernel, ramdisk, cmdline}", for: field, found: node,
                    at: reader.location(node)))
            return nil
        }
        guard
            let fields = reader.object(
                node, field, keys: Self.bootKeys, required: Self.bootRequiredKeys,
                at: reader.location(node))
        else { return nil }
        let kernel = fields["kernel"].flatMap { reader.path($0.value, for: "kernel of \(what)") }
        let ramdisk = fields["ramdisk"].flatMap { reader.path($0.value, for: "ramdisk of \(what)") }
        var cmdline: String?
        if let entry = fields["cmdline"], let text = reader.text(entry.value, for: "cmdline of \(what)") {
            if Syntax.isCmdline(text.value) {
                cmdline = text.value
            } else {
                reader.report(.badCmdline(text.value, of: what, at: text.location))
            }
        }
        guard let kernel else { return nil }
        return Declared(value: .kernel(kernel: kernel.value, ramdisk: ramdisk?.value, cmdline: cmdline), location: reader.location(node))
    }

    private func decodeDisk(_ node: Node, index: Int, of what: String) -> DeclaredDisk? {
        let at = reader.location(node)
        var label = "disk \(index + 1) of \(what)"
        if case let .mapping(mapping) = node, let name = mapping["name"]?.scalar?.string, Syntax.isName(name) {
            label = "disk '\(name)' of \(what)"
        }
        guard
            let fields = reader.object(
                node, label, keys: Self.diskKeys, required: Self.diskRequiredKeys, at: at)
        else { return nil }
        var disk = DeclaredDisk(location: at)
        disk.name = fields["name"].flatMap { reader.name($0.value, for: "the name of \(label)") }
        disk.size = fields["size"].flatMap { reader.size($0.value, for: "size of \(label)", atLeast: Self.minimumDiskSize) }
        disk.vdev = fields["vdev"].flatMap { reader.text($0.value, for: "vdev of \(label)") }
        disk.pool = fields["pool"].flatMap { reader.name($0.value, for: "pool of \(label)") }
        if let entry = fields["path"], let path = reader.path(entry.value, for: "path of \(label)") {
            if path.value.hasPrefix(Self.devicePrefix) {
                disk.path = path
            } else {
                reader.report(.diskPathOutsideDev(path.value, of: label, at: path.location))
            }
        }
        if let entry = fields["mode"], let mode = reader.text(entry.value, for: "mode of \(label)", expected: "ro or rw") {
            switch DiskMode(rawValue: mode.value) {
            case .ro: disk.readOnly = true
            case .rw: disk.readOnly = false
            case nil: reader.report(.error("mode of \(label) must be ro or rw, not \(shown(mode.value))", at: mode.location))
            }
        }
        if let entry = fields["source"] {
            if fields["path"] != nil {
                reader.report(
                    .error(
                        "\(label) names an existing device (path), which xenplan never writes, so it takes no source",
                        at: entry.keyLocation))
            }
            if let source = reader.object(
                entry.value, "source of \(label)", keys: Self.diskSourceKeys, required: Self.diskSourceKeys, at: entry.keyLocation)
            {
                disk.image = source["image"].flatMap { reader.name($0.value, for: "image of \(label)") }
            }
        }
        switch (fields["size"], fields["path"]) {
        case let (size?, _?):
            reader.report(
                .error(
                    "\(label) has both size and path; size declares a volume xenplan manages, path an existing device",
                    at: size.keyLocation))
        case (nil, nil):
            reader.report(
                .error(
                    "\(label) needs either size (a volume xenplan manages) or path (an existing device under /dev/)",
                    at: at))
        case (nil, _?):
            if let pool = fields["pool"] {
                reader.report(.error("\(label) names an existing device (path), so it takes no pool", at: pool.keyLocation))
            }
        default:
            break
        }
        return disk
    }
}

extension Diagnostic {
    static func badCmdline(_ text: String, of what: String, at location: SourceLocation) -> Diagnostic {
        .error("cmdline of \(what) may hold only printable ASCII without quotes or backslashes: \(shown(text))", at: location)
    }

    static func diskPathOutsideDev(_ path: String, of label: String, at location: SourceLocation) -> Diagnostic {
        .error("\(shown(path)) is refused as path of \(label): an existing device must be under /dev/", at: location)
    }
}
