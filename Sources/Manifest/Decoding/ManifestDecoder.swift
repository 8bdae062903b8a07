import XenplanBasics
import XenplanYAML

/// Turns the tree of one file into what it declares. Checks everything that one value
/// alone decides (types, ranges, name and path syntax); rules that need other values or
/// other files belong to `LabAssembler`.
struct ManifestDecoder {
    static let topLevelKeys = ["lab", "format", "defaults", "sshKeys", "storage", "images", "hosts", "groups", "domains", "backups"]
    /// Formats a file may state; above `Lab.supportedFormat` the file is refused.
    static let formatRange = 1...Int.max
    static let poolKeys = ["type", "volumeGroup", "path", "hosts", "shared"]
    static let poolRequiredKeys = ["type", "hosts"]
    /// `type:` of a pool, as written.
    enum PoolType: String, CaseIterable {
        case lvm, dir
    }
    static let groupKeys = ["spread", "memory", "vcpus"]
    static let minimumGroupMemory = ByteSize.mib(1)
    static let groupVcpusRange = 1...1_000_000

    let reader: NodeReader
    var file: ManifestFile

    init(path: String) {
        reader = NodeReader(file: path)
        file = ManifestFile(path: path)
    }

    /// Decodes a whole file. A file of a newer format is not decoded further: its keys
    /// would only produce noise.
    static func decode(root: Node, path: String) -> (ManifestFile, [Diagnostic]) {
        var decoder = ManifestDecoder(path: path)
        decoder.decodeTopLevel(root)
        return (decoder.file, decoder.reader.diagnostics)
    }

    private mutating func decodeTopLevel(_ root: Node) {
        guard case .mapping = root else {
            reader.report(
                .error(
                    "expected a mapping of top-level keys (\(Self.topLevelKeys.joined(separator: ", "))), found \(Diagnostic.describe(root))",
                    at: reader.location(root)))
            return
        }
        guard let top = reader.object(root, "the manifest", keys: Self.topLevelKeys, at: reader.location(root)) else { return }
        if let entry = top["format"] {
            file.format = reader.int(entry.value, for: "format", in: Self.formatRange)
            if let format = file.format, format.value > Lab.supportedFormat {
                reader.report(.unsupportedFormat(format.value, at: format.location))
                file.hasUnsupportedFormat = true
                return
            }
        }
        if let entry = top["lab"] {
            file.lab = reader.text(entry.value, for: "lab", expected: "a name")
            if let lab = file.lab, !Syntax.isName(lab.value) {
                reader.report(.invalidName(lab.value, for: "the lab", at: lab.location))
            }
        }
        if let entry = top["defaults"] {
            var defaults = DeclaredDomain(name: "defaults", location: entry.keyLocation)
            decodeDomainBody(entry.value, into: &defaults, what: "defaults", isDefaults: true)
            file.defaults = defaults
        }
        if let entry = top["sshKeys"] { file.sshKeys = sshKeys(entry.value, of: "the lab") }
        if let entry = top["storage"] { decodePools(entry.value) }
        if let entry = top["images"] { decodeImages(entry.value) }
        if let entry = top["hosts"] { decodeHosts(entry.value) }
        if let entry = top["groups"] { decodeGroups(entry.value) }
        if let entry = top["domains"] { decodeDomains(entry.value) }
        if let entry = top["backups"] { decodeLabBackups(entry) }
    }

    /// The entries of a top-level section (`hosts:`, `domains:`…) with their names checked.
    /// An object with a bad name is still decoded, so that its other problems show too.
    func namedEntries(_ node: Node, section: String, kind: String) -> [(name: String, entry: NodeReader.Entry)] {
        guard let entries = reader.entries(node, expected: "a mapping of \(kind) names to \(kind)s", for: section) else { return [] }
        return entries.map { entry in
            if !Syntax.isName(entry.key) {
                let article = kind.first.map { "aeiou".contains($0) } == true ? "an" : "a"
                reader.report(.invalidName(entry.key, for: "\(article) \(kind)", at: entry.keyLocation))
            }
            return (entry.key, entry)
        }
    }

    /// An object of a top-level section, its keys checked against `keys`.
    struct NamedObject {
        var name: String
        /// How messages name it: `host 'cpt18'`.
        var what: String
        var fields: [String: NodeReader.Entry]
        /// The name key.
        var keyLocation: SourceLocation
        /// The name key, and where each key's value was written.
        var locations: KeyLocations
    }

    /// The objects of a section whose body is a mapping of known keys.
    func namedObjects(_ node: Node, section: String, kind: String, keys: [String], required: [String] = []) -> [NamedObject] {
        namedEntries(node, section: section, kind: kind).compactMap { name, entry in
            let what = "\(kind) \(shown(name))"
            guard let fields = reader.object(entry.value, what, keys: keys, required: required, at: entry.keyLocation) else { return nil }
            var locations = KeyLocations(object: entry.keyLocation)
            for (key, field) in fields { locations.keys[key] = reader.location(field.value) }
            return NamedObject(name: name, what: what, fields: fields, keyLocation: entry.keyLocation, locations: locations)
        }
    }

    // MARK: - Storage

    private mutating func decodePools(_ node: Node) {
        for object in namedObjects(node, section: "storage", kind: "pool", keys: Self.poolKeys, required: Self.poolRequiredKeys) {
            let (name, what, fields) = (object.name, object.what, object.fields)

            var kind: PoolSpec.Kind?
            if let type = fields["type"].flatMap({ reader.text($0.value, for: "type of \(what)", expected: "lvm or dir") }) {
                switch PoolType(rawValue: type.value) {
                case .lvm:
                    if fields["path"] != nil { reader.report(.keyNotForPoolType("path", type: "lvm", in: what, at: fields["path"]!.keyLocation)) }
                    if let vg = fields["volumeGroup"] {
                        if let text = reader.text(vg.value, for: "volumeGroup of \(what)") {
                            if Syntax.isVolumeGroup(text.value) {
                                kind = .lvm(volumeGroup: text.value)
                            } else {
                                reader.report(.invalidVolumeGroup(text.value, in: what, at: text.location))
                            }
                        }
                    } else {
                        reader.report(.missingKey("volumeGroup", in: "\(what) (type lvm)", at: object.keyLocation))
                    }
                case .dir:
                    if fields["volumeGroup"] != nil {
                        reader.report(.keyNotForPoolType("volumeGroup", type: "dir", in: what, at: fields["volumeGroup"]!.keyLocation))
                    }
                    if let path = fields["path"] {
                        if let text = reader.path(path.value, for: "path of \(what)") {
                            kind = .dir(path: text.value)
                            if let system = Syntax.systemDirectory(containing: text.value) {
                                reader.report(.systemDirectoryPool(text.value, system: system, in: what, at: text.location))
                            }
                        }
                    } else {
                        reader.report(.missingKey("path", in: "\(what) (type dir)", at: object.keyLocation))
                    }
                case nil:
                    let hint = Suggestion.closest(to: type.value, among: PoolType.allCases.map(\.rawValue)).map { "; did you mean '\($0)'?" } ?? ""
                    reader.report(.error("type of \(what) must be lvm or dir, not \(shown(type.value))\(hint)", at: type.location))
                }
            }

            let hosts = fields["hosts"].flatMap { hostList($0.value, of: what, ifEmpty: "name the hosts that reach the pool") } ?? []
            let shared = fields["shared"].flatMap { reader.bool($0.value, for: "shared of \(what)") }?.value ?? false
            // A pool whose type or container was refused keeps an empty container, so
            // that later checks skip it rather than report nonsense about it.
            file.pools.append(
                PoolSpec(
                    name: name, kind: kind ?? .dir(path: ""), hosts: hosts.map(\.value), shared: shared,
                    locations: object.locations))
            file.poolHostLocations[name] = hosts.map(\.location)
        }
    }

    /// The `hosts` list of a pool or an image: names, none twice.
    func hostList(_ node: Node, of what: String, ifEmpty hint: String) -> [Declared<String>]? {
        guard let list = reader.list(node, for: "hosts of \(what)") else { return nil }
        if list.isEmpty {
            reader.report(.error("hosts of \(what) is empty; \(hint)", at: reader.location(node)))
        }
        var hosts: [Declared<String>] = []
        for item in list {
            guard let host = reader.name(item, for: "a host of \(what)") else { continue }
            if let first = hosts.first(where: { $0.value == host.value }) {
                reader.report(
                    .error(
                        "host '\(host.value)' is listed twice in \(what)", at: host.location,
                        notes: [.init("first listed here", at: first.location)]))
                continue
            }
            hosts.append(host)
        }
        return hosts
    }

    // MARK: - Groups

    private mutating func decodeGroups(_ node: Node) {
        for object in namedObjects(node, section: "groups", kind: "group", keys: Self.groupKeys) {
            let (name, what, fields) = (object.name, object.what, object.fields)
            let spread = fields["spread"].flatMap { reader.bool($0.value, for: "spread of \(what)") }
            let memory = fields["memory"].flatMap { reader.size($0.value, for: "memory of \(what)", atLeast: Self.minimumGroupMemory) }
            let vcpus = fields["vcpus"].flatMap { reader.int($0.value, for: "vcpus of \(what)", in: Self.groupVcpusRange) }
            file.groups.append(
                GroupSpec(
                    name: name, spread: spread?.value ?? false, memory: memory?.value,
                    vcpus: vcpus?.value, locations: object.locations))
        }
    }
}

extension Diagnostic {
    static func unsupportedFormat(_ format: Int, at location: SourceLocation) -> Diagnostic {
        .error("format \(format) is not supported; this xenplan reads format \(Lab.supportedFormat) at most", at: location)
    }

    static func keyNotForPoolType(_ key: String, type: String, in what: String, at location: SourceLocation) -> Diagnostic {
        .error("key '\(key)' does not apply to \(what) of type \(type)", at: location)
    }

    static func invalidVolumeGroup(_ name: String, in what: String, at location: SourceLocation) -> Diagnostic {
        .error(
            "\(shown(name)) is not a valid volume group name for \(what): use A-Z, a-z, 0-9, '+', '_', '.', '-', not starting with '-'",
            at: location)
    }
}

extension Diagnostic {
    static func systemDirectoryPool(_ path: String, system: String, in what: String, at location: SourceLocation) -> Diagnostic {
        let place =
            path == system || "/" + path.split(separator: "/").joined(separator: "/") == system
            ? "is the system directory \(system)" : "lies in the system directory \(system)"
        return .error(
            "path \(shown(path)) of \(what) \(place): image files there could overwrite or fill the dom0's own files; use a directory of its own such as /srv/xen-images",
            at: location)
    }
}
