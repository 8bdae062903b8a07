import XenplanBasics

/// A JSON Schema (draft 2020-12) of one manifest file, for editors: completion, hover
/// and errors while typing. It is built from the decoder's own key lists, ranges and
/// choices, so that it cannot drift from what the loader accepts (`ManifestSchemaTests`
/// fails when a key, range or choice is added to one and not the other).
///
/// It checks what one file decides alone. Everything that needs other values or other
/// files (declared references, uniqueness, memory against maxmem, capacity) stays
/// `xenplan validate`'s; the schema says so in its description.
public enum ManifestSchema {
    /// The schema as JSON text, ending with a newline.
    public static var text: String { document.rendered() + "\n" }

    static let description = """
        One manifest file of a xenplan lab (format \(Lab.supportedFormat)). A lab is every *.yaml and *.yml file \
        of a directory, merged, so every key is optional in one file. This schema checks each file alone: keys, \
        types, choices, ranges, and the syntax of names, sizes, paths and addresses. What involves other values or \
        other files is checked only by `xenplan validate`: that the hosts, pools, groups, images and bridges a file \
        names are declared and reachable, that names, MACs and IPs are unique, memory against maxmem, vcpus against \
        maxvcpus, group quotas and host capacity, the vdevs a guest's type allows, and sizes above 1 PiB.
        """

    static var document: JSONValue {
        var members: [(String, JSONValue)] = [
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("title", .string("xenplan manifest (format \(Lab.supportedFormat))")),
            ("description", .string(description)),
        ]
        if case let .object(root) = topLevel.json() { members += root }
        let definitions = objects.map { name, object in (name, object.json(descriptions: Self.descriptions[name] ?? [:])) }
        members.append(("$defs", .object(definitions + values)))
        return .object(members)
    }

    // MARK: - Mappings of fixed keys

    /// A mapping of fixed keys: the decoder's list of them, the schema of each value, and
    /// the rules between keys of one mapping.
    struct Object: Sendable {
        var keys: [String]
        var required: [String] = []
        /// The schema of each key's value; `ManifestSchemaTests` checks that its keys
        /// are exactly `keys`.
        var values: [String: JSONValue]
        var rules: [JSONValue] = []
        /// A key written with no value (`dom0:`) reads as an empty mapping, which only a
        /// mapping without required keys accepts; a file must hold something.
        var readsNullAsEmpty = true

        /// `descriptions`: what an editor shows for each key.
        func json(descriptions: [String: String] = [:]) -> JSONValue {
            let type: JSONValue = required.isEmpty && readsNullAsEmpty ? ManifestSchema.strings(["object", "null"]) : .string("object")
            var members: [(String, JSONValue)] = [("type", type), ("additionalProperties", .bool(false))]
            if !required.isEmpty { members.append(("required", ManifestSchema.strings(required))) }
            let properties = keys.map { key in
                let value = values[key] ?? .object([])
                return (key, descriptions[key].map { ManifestSchema.described(value, $0) } ?? value)
            }
            members.append(("properties", .object(properties)))
            if !rules.isEmpty { members.append(("allOf", .array(rules))) }
            return .object(members)
        }
    }

    /// The top level of a file: any key, none required.
    static let topLevel = Object(
        keys: ManifestDecoder.topLevelKeys,
        values: [
            "lab": described(ref("name"), "The lab's name; several files may write it only with the same value."),
            "format": described(
                integer(ManifestDecoder.formatRange.lowerBound...Lab.supportedFormat), "The manifest format; default 1."),
            "defaults": described(ref("defaults"), "Values every domain that does not write them takes; in one file only."),
            "sshKeys": described(ref("sshKeys"), "authorized_keys lines every guest with a first-boot seed accepts."),
            "storage": described(named("pool"), "Storage pools, by name."),
            "images": described(named("image"), "Disk images new volumes are filled from, by name."),
            "hosts": described(named("host"), "dom0 hosts, by name."),
            "groups": described(named("group"), "Groups of domains, by name."),
            "domains": described(named("domain", names: "domainName"), "Guest domains, by name."),
            "backups": described(ref("labBackups"), "The lab-wide backup policy; in one file only."),
        ], readsNullAsEmpty: false)

    /// Every mapping of fixed keys, by the name it has under `$defs`, in the manifests' order.
    static let objects: [(name: String, object: Object)] = [
        ("defaults", Object(keys: ManifestDecoder.defaultsKeys, values: domainValues.filter { ManifestDecoder.defaultsKeys.contains($0.key) })),
        ("pool", pool),
        ("image", image),
        ("host", host),
        ("dom0", Object(keys: ManifestDecoder.dom0Keys, values: dom0Values)),
        ("limits", Object(keys: ManifestDecoder.limitsKeys, values: ["vcpuRatio": integer(ManifestDecoder.vcpuRatioRange)])),
        ("sim", Object(keys: ManifestDecoder.simKeys, required: ManifestDecoder.simKeys, values: simValues)),
        (
            "bridge",
            Object(
                keys: ManifestDecoder.bridgeKeys,
                values: ["interface": text(Pattern.interfaceName, orNumber: true), "vlan": integer(ManifestDecoder.vlanRange)])
        ),
        ("group", group),
        ("domain", Object(keys: ManifestDecoder.domainKeys, values: domainValues)),
        ("cpu", Object(keys: ManifestDecoder.cpuKeys, values: cpuValues)),
        ("kernelBoot", Object(keys: ManifestDecoder.bootKeys, required: ManifestDecoder.bootRequiredKeys, values: bootValues)),
        ("disk", disk),
        (
            "cdrom",
            Object(
                keys: ManifestDecoder.cdromKeys, values: ["image": ref("name"), "path": ref("path")],
                rules: [
                    .object([("anyOf", .array([.object([("required", strings(["image"]))]), .object([("required", strings(["path"]))])]))]),
                    notBoth("image", "path"),
                ])
        ),
        ("vnc", Object(keys: ManifestDecoder.vncKeys, values: ["listen": ref("ipv4"), "display": integer(HvmSpec.Vnc.displays)])),
        ("diskSource", Object(keys: ManifestDecoder.diskSourceKeys, required: ManifestDecoder.diskSourceKeys, values: ["image": ref("name")])),
        ("interface", interface),
        ("labBackups", Object(keys: ManifestDecoder.backupKeys, required: ManifestDecoder.labBackupRequiredKeys, values: backupValues)),
        ("backups", Object(keys: ManifestDecoder.backupKeys, values: backupValues)),
    ]

    static let pool = Object(
        keys: ManifestDecoder.poolKeys, required: ManifestDecoder.poolRequiredKeys,
        values: [
            "type": choice(ManifestDecoder.PoolType.self),
            "volumeGroup": text(Pattern.volumeGroup, orNumber: true),
            "path": ref("path"),
            "hosts": ref("hostList"),
            "shared": ref("boolean"),
        ],
        rules: [
            ifThen(
                .object([("required", strings(["type"])), ("properties", .object([("type", oneOf([ManifestDecoder.PoolType.lvm.rawValue]))]))]),
                then: .object([("required", strings(["volumeGroup"])), ("not", .object([("required", strings(["path"]))]))])),
            ifThen(
                .object([("required", strings(["type"])), ("properties", .object([("type", oneOf([ManifestDecoder.PoolType.dir.rawValue]))]))]),
                then: .object([("required", strings(["path"])), ("not", .object([("required", strings(["volumeGroup"]))]))])),
        ])

    static let image = Object(
        keys: ManifestDecoder.imageKeys, required: ManifestDecoder.imageRequiredKeys,
        values: [
            "path": .object([("anyOf", .array([ref("path"), text(Pattern.relativePath)]))]),
            "format": choice(ImageSpec.Format.self),
            "sha256": text(Pattern.sha256),
            "hosts": ref("hostList"),
            "pool": ref("name"),
        ],
        rules: [
            notBoth("hosts", "pool"),
            // A relative path needs the pool it is relative to.
            .object([("if", .object([("required", strings(["pool"]))])), ("else", .object([("properties", .object([("path", ref("path"))]))]))]),
        ])

    static let host = Object(
        keys: ManifestDecoder.hostKeys, required: ManifestDecoder.hostRequiredKeys,
        values: [
            "connection": text(Pattern.connection),
            "dom0": ref("dom0"),
            "bridges": named("bridge", names: "bridgeName"),
            "limits": ref("limits"),
            "sim": ref("sim"),
            "agentCommand": .object([("anyOf", .array([oneOf([ManifestDecoder.agentCommandInPath]), ref("path")]))]),
        ],
        rules: [
            // `sim` with a simulated host and only there; `agentCommand` only over ssh.
            ifThen(
                .object([
                    ("required", strings(["connection"])),
                    ("properties", .object([("connection", oneOf([Connection.sim.description]))])),
                ]),
                then: .object([("required", strings(["sim"]))]), else: .object([("not", .object([("required", strings(["sim"]))]))])),
            ifThen(
                .object([
                    ("required", strings(["connection"])),
                    ("properties", .object([("connection", .object([("pattern", .string("^ssh://"))]))])),
                ]),
                else: .object([("not", .object([("required", strings(["agentCommand"]))]))])),
        ])

    static let dom0Values: [String: JSONValue] = [
        "memory": size(atLeast: ManifestDecoder.minimumDom0Memory),
        "vcpus": integer(ManifestDecoder.dom0VcpusRange),
    ]

    static let simValues: [String: JSONValue] = [
        "memory": size(atLeast: ManifestDecoder.minimumSimMemory),
        "cpus": integer(ManifestDecoder.simCpusRange),
    ]

    static let group = Object(
        keys: ManifestDecoder.groupKeys,
        values: [
            "spread": ref("boolean"),
            "memory": size(atLeast: ManifestDecoder.minimumGroupMemory),
            "vcpus": integer(ManifestDecoder.groupVcpusRange),
        ])

    /// A domain's keys; `defaults` takes those of `ManifestDecoder.defaultsKeys`.
    static let domainValues: [String: JSONValue] = [
        "host": ref("name"),
        "group": ref("name"),
        "memory": size(atLeast: ManifestDecoder.minimumDomainMemory),
        "maxmem": size(atLeast: ManifestDecoder.minimumDomainMemory),
        "vcpus": integer(ManifestDecoder.vcpusRange),
        "maxvcpus": integer(ManifestDecoder.vcpusRange),
        "cpu": ref("cpu"),
        "type": choice(GuestType.self),
        "boot": .object([("anyOf", .array([oneOf([ManifestDecoder.pygrub, ManifestDecoder.pvgrub]), ref("kernelBoot")]))]),
        "firmware": choice(HvmSpec.Firmware.self),
        "bootOrder": list(of: choice(HvmSpec.BootDevice.self), unique: true, maximum: HvmSpec.BootDevice.allCases.count),
        "cdrom": ref("cdrom"),
        "vnc": .object([("anyOf", .array([ref("boolean"), ref("vnc")]))]),
        "serial": choice(HvmSpec.Serial.self),
        "viridian": ref("boolean"),
        "disks": list(of: ref("disk")),
        "network": list(of: ref("interface")),
        "restart": choice(RestartPolicy.self),
        "protect": ref("boolean"),
        "state": choice(DesiredRunState.self),
        "saves": ref("name"),
        "shutdownTimeout": integer(ManifestDecoder.shutdownTimeoutRange),
        "hostname": text(Pattern.hostname, orNumber: true),
        "sshKeys": ref("sshKeys"),
        "passwordHash": text(Pattern.passwordHash),
        "seed": ref("boolean"),
        "identityChanges": choice(IdentitySpec.Changes.self),
        "backups": .object([("anyOf", .array([oneOf([ManifestDecoder.noBackups]), ref("backups")]))]),
    ]

    static let cpuValues: [String: JSONValue] = [
        "weight": integer(ManifestDecoder.cpuWeightRange),
        "cap": integer(ManifestDecoder.cpuCapRange),
    ]

    static let bootValues: [String: JSONValue] = [
        "kernel": ref("path"),
        "ramdisk": ref("path"),
        "cmdline": text(Pattern.cmdline, orNumber: true),
    ]

    static let disk = Object(
        keys: ManifestDecoder.diskKeys, required: ManifestDecoder.diskRequiredKeys,
        values: [
            "name": ref("name"),
            "size": size(atLeast: ManifestDecoder.minimumDiskSize),
            "vdev": text(Pattern.vdev),
            "pool": ref("name"),
            "path": .object([
                ("allOf", .array([ref("path"), .object([("pattern", .string("^" + Pattern.escaped(ManifestDecoder.devicePrefix)))])]))
            ]),
            "mode": choice(ManifestDecoder.DiskMode.self),
            "source": ref("diskSource"),
        ],
        rules: [
            // A managed volume (size) or an existing device (path), which takes no pool
            // and is never written from an image.
            .object([("anyOf", .array([.object([("required", strings(["size"]))]), .object([("required", strings(["path"]))])]))]),
            notBoth("size", "path"),
            notBoth("path", "pool"),
            notBoth("path", "source"),
        ])

    static let interface = Object(
        keys: ManifestDecoder.nicKeys, required: ManifestDecoder.nicRequiredKeys,
        values: [
            "bridge": ref("name"),
            "ip": ref("ipv4"),
            "mac": text(Pattern.mac),
            "rate": text(Pattern.vifRate),
            "vifname": text(Pattern.vifName, orNumber: true),
            "prefix": integer(ManifestDecoder.prefixRange),
            "netmask": text(Pattern.netmask),
            "gateway": ref("ipv4"),
            "dns": list(of: ref("ipv4"), maximum: ManifestDecoder.maximumNameServers),
        ],
        rules: [
            // Without an address of its own the interface is configured by DHCP.
            .object([("dependentRequired", .object(ManifestDecoder.nicFirstBootKeys.map { ($0, strings(["ip"])) }))]),
            notBoth("prefix", "netmask"),
        ])

    static let backupValues: [String: JSONValue] = [
        "pool": ref("name"),
        "keep": integer(BackupPolicy.keepRange),
        "consistency": choice(BackupPolicy.Consistency.self),
    ]

    // MARK: - Values

    /// The value types several keys share, under `$defs`.
    static let values: [(String, JSONValue)] = [
        ("name", text(Pattern.name, orNumber: true)),
        (
            "domainName",
            .object([("allOf", .array([ref("name"), .object([("not", text(Pattern.reservedDomainName))])]))])
        ),
        ("bridgeName", text(Pattern.bridgeName, orNumber: true)),
        ("hostList", list(of: ref("name"), nonEmpty: true, unique: true, nullable: false)),
        ("path", text(Pattern.path)),
        ("ipv4", text(Pattern.ipv4)),
        ("sshKeys", list(of: text(Pattern.sshKey), maximum: Syntax.maximumSSHKeys)),
        // The loader reads the text of a scalar: `true` and `"true"` are the same.
        ("boolean", .object([("anyOf", .array([.object([("type", .string("boolean"))]), oneOf(NodeReader.trueTexts + NodeReader.falseTexts)]))])),
    ]

    // MARK: - Building blocks

    static func ref(_ name: String) -> JSONValue { .object([("$ref", .string("#/$defs/" + name))]) }

    static func strings(_ texts: [String]) -> JSONValue { .array(texts.map(JSONValue.string)) }

    static func oneOf(_ texts: [String]) -> JSONValue { .object([("enum", strings(texts))]) }

    static func choice<T: RawRepresentable & CaseIterable>(_: T.Type) -> JSONValue where T.RawValue == String {
        oneOf(T.allCases.map(\.rawValue))
    }

    /// Text of `pattern`. `orNumber`: for values a YAML editor may read as a number
    /// (`lab: 2024`), which the loader reads as the text it is.
    static func text(_ pattern: String, orNumber: Bool = false) -> JSONValue {
        guard orNumber else { return .object([("type", .string("string")), ("pattern", .string(pattern))]) }
        return .object([
            ("type", strings(["string", "integer"])), ("minimum", .integer(0)), ("pattern", .string(pattern)),
        ])
    }

    /// A whole number in `range`, or its text (`"2"`), whose range only the loader checks.
    static func integer(_ range: ClosedRange<Int>) -> JSONValue {
        var number: [(String, JSONValue)] = [("type", .string("integer")), ("minimum", .integer(range.lowerBound))]
        if range.upperBound != Int.max { number.append(("maximum", .integer(range.upperBound))) }
        return .object([("anyOf", .array([.object(number), text(Pattern.integerText)]))])
    }

    /// `512M`, `1.5G`, or a bare number of MiB. The least and the most are checked on
    /// numbers (in MiB); on text only the syntax.
    static func size(atLeast minimum: ByteSize) -> JSONValue {
        let number: JSONValue = .object([
            ("type", .string("number")), ("minimum", .integer(Int(minimum.mib))), ("maximum", .integer(Int(ByteSize.maximum.mib))),
        ])
        return .object([("anyOf", .array([number, text(Pattern.size)]))])
    }

    /// A list; a key written with no value reads as an empty one.
    static func list(of item: JSONValue, nonEmpty: Bool = false, unique: Bool = false, maximum: Int? = nil, nullable: Bool = true) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", nullable ? strings(["array", "null"]) : .string("array"))]
        if nonEmpty { members.append(("minItems", .integer(1))) }
        if let maximum { members.append(("maxItems", .integer(maximum))) }
        if unique { members.append(("uniqueItems", .bool(true))) }
        members.append(("items", item))
        return .object(members)
    }

    /// A section of objects by name (`hosts:`, `domains:`…).
    static func named(_ definition: String, names: String = "name") -> JSONValue {
        .object([
            ("type", strings(["object", "null"])), ("propertyNames", ref(names)), ("additionalProperties", ref(definition)),
        ])
    }

    static func notBoth(_ first: String, _ second: String) -> JSONValue {
        .object([("not", .object([("required", strings([first, second]))]))])
    }

    static func ifThen(_ condition: JSONValue, then: JSONValue? = nil, else otherwise: JSONValue? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("if", condition)]
        if let then { members.append(("then", then)) }
        if let otherwise { members.append(("else", otherwise)) }
        return .object(members)
    }

    static func described(_ value: JSONValue, _ text: String) -> JSONValue {
        guard case let .object(members) = value else { return value }
        return .object(members + [("description", .string(text))])
    }
}
