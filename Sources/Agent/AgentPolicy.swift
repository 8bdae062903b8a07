import FoundationEssentials
import HostModel
import XenplanBasics
import XenplanYAML

/// What the agent may change on its host, whoever holds the key that starts it: read
/// from the host itself (`/etc/xenplan/agent.yaml`), never from the client. The hello's
/// volume groups and image directories can only narrow it.
///
/// Some rules are not in the file because nothing may lift them: only volumes xenplan
/// created (LVM tag `xenplan`, image attribute `user.xenplan`) are grown or removed, and
/// a domain recorded as protected on the host is never shut down or destroyed, nor its
/// protection lifted, by a request.
public struct AgentPolicy: Hashable, Sendable {
    public static let defaultPath = "/etc/xenplan/agent.yaml"
    /// Names another policy file (tests; a dom0 that keeps it elsewhere).
    public static let environmentVariable = "XENPLAN_AGENT_POLICY"

    /// The file, for messages.
    public var path: String
    /// False when the file does not exist and a built-in default applies.
    public var fromFile: Bool
    /// Volume groups where volumes may be created (nil: any).
    public var volumeGroups: Set<String>?
    /// Directories where image files may be created (nil: any).
    public var imageDirectories: Set<String>?
    /// Existing devices that may be attached to a domain: exact paths, or prefixes
    /// written with a final `*` (nil: any).
    public var devices: [String]?
    /// Devices that may be attached read-only only, written as `devices` are.
    public var readOnlyDevices: [String]
    /// Bridges that may be created, each with the interfaces it may take (nil: any).
    public var bridges: [String: Set<String>]?
    /// Directories whose disk images new volumes may be filled from, and whose images are
    /// observed, besides `imageDirectories` (nil: any). Without the key: `defaultImageSource`.
    public var imageSources: Set<String>?

    /// Where images are kept on a dom0 unless the policy says otherwise.
    public static let defaultImageSource = "/var/lib/xenplan/images"

    public init(
        path: String, fromFile: Bool, volumeGroups: Set<String>?, imageDirectories: Set<String>?,
        devices: [String]?, readOnlyDevices: [String] = [], bridges: [String: Set<String>]?,
        imageSources: Set<String>? = [AgentPolicy.defaultImageSource]
    ) {
        self.path = path
        self.fromFile = fromFile
        self.volumeGroups = volumeGroups
        self.imageDirectories = imageDirectories
        self.devices = devices
        self.readOnlyDevices = readOnlyDevices
        self.bridges = bridges
        self.imageSources = imageSources
    }

    /// A dom0 without a policy file: the agent observes and changes domains, but creates
    /// no volume, image file or bridge, and attaches no device but volumes of its pools
    /// (there are none) — until the file says where. Images are read from the default
    /// source only.
    public static func closed(path: String = defaultPath) -> AgentPolicy {
        AgentPolicy(path: path, fromFile: false, volumeGroups: [], imageDirectories: [], devices: [], bridges: [:])
    }

    /// A simulated host without a policy file: there is nothing real to protect, so
    /// nothing is checked.
    public static func open(path: String = defaultPath) -> AgentPolicy {
        AgentPolicy(
            path: path, fromFile: false, volumeGroups: nil, imageDirectories: nil, devices: nil, bridges: nil,
            imageSources: nil)
    }

    /// Whether any rule is checked at all.
    public var isOpen: Bool {
        volumeGroups == nil && imageDirectories == nil && devices == nil && bridges == nil && imageSources == nil
    }

    /// Reads `path`; when it does not exist, `absent` applies (under this path's name).
    public static func load(path: String, whenAbsent absent: AgentPolicy) throws(AgentPolicyError) -> AgentPolicy {
        guard let data = FileManager.default.contents(atPath: path) else {
            guard !FileManager.default.fileExists(atPath: path) else {
                throw AgentPolicyError(path: path, line: nil, message: "cannot be read")
            }
            var policy = absent
            policy.path = path
            policy.fromFile = false
            return policy
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// `--volume-group`, `--image-dir` and `--image-source` of the forced command: the
    /// administrator's own additions, as if written in the file.
    public func adding(
        volumeGroups extraGroups: [String], imageDirectories extraDirectories: [String],
        imageSources extraSources: [String] = []
    ) -> AgentPolicy {
        var policy = self
        if !extraGroups.isEmpty { policy.volumeGroups = policy.volumeGroups.map { $0.union(extraGroups) } }
        if !extraDirectories.isEmpty {
            policy.imageDirectories = policy.imageDirectories.map { $0.union(extraDirectories.map(Self.withoutTrailingSlash)) }
        }
        if !extraSources.isEmpty {
            policy.imageSources = policy.imageSources.map { $0.union(extraSources.map(Self.withoutTrailingSlash)) }
        }
        return policy
    }

    static func withoutTrailingSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}

/// A policy file the agent cannot use: it then serves nothing (the hello is answered
/// with `host-unavailable` and this message).
public struct AgentPolicyError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String

    public init(path: String, line: Int?, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        "the agent's policy \(path)" + (line.map { ":\($0)" } ?? "") + " \(message)"
    }
}

// MARK: - The file

extension AgentPolicy {
    /// A policy is a few lists: far inside these bounds.
    static let policyLimits = YAMLComposer.Limits(maxDepth: 16, maxNodes: 100_000)
    static let keys = ["volumeGroups", "imageDirectories", "imageSources", "devices", "readOnlyDevices", "bridges"]

    /// The file's YAML: a mapping with the keys above, each optional (absent: nothing is
    /// allowed, but for `imageSources`, whose default is `defaultImageSource`). Unknown
    /// keys, anchors and values of the wrong kind are errors.
    public static func parse(_ text: String, path: String) throws(AgentPolicyError) -> AgentPolicy {
        func fail(_ node: Node?, _ message: String) -> AgentPolicyError {
            AgentPolicyError(path: path, line: node?.mark.line, message: message)
        }
        let composed = YAMLComposer(limits: policyLimits).compose(Array(text.utf8))
        if let problem = composed.problems.first {
            throw AgentPolicyError(path: path, line: problem.mark?.line, message: "is not YAML: \(problem.message)")
        }
        let root = composed.root
        var policy = AgentPolicy.closed(path: path)
        policy.fromFile = true
        guard let root else { return policy }
        guard case let .mapping(mapping) = root else { throw fail(root, "must be a mapping of \(keys.joined(separator: ", "))") }
        for (keyNode, value) in mapping {
            guard case let .scalar(key) = keyNode, keys.contains(key.string) else {
                throw fail(keyNode, "has an unknown key \(shownValue(keyNode.scalar?.string ?? "?")); the keys are \(keys.joined(separator: ", "))")
            }
            switch key.string {
            case "volumeGroups":
                policy.volumeGroups = Set(
                    try strings(value, key.string, fail: fail) { Syntax.isVolumeGroup($0) ? nil : "is not a volume group name" })
            case "imageDirectories", "imageSources":
                let list = Set(try strings(value, key.string, fail: fail) { pathProblem($0) }.map(withoutTrailingSlash))
                if key.string == "imageDirectories" { policy.imageDirectories = list } else { policy.imageSources = list }
            case "devices", "readOnlyDevices":
                let list = try strings(value, key.string, fail: fail) { devicePatternProblem($0) }
                if key.string == "devices" { policy.devices = list } else { policy.readOnlyDevices = list }
            default:
                guard case let .mapping(bridges) = value else {
                    throw fail(value, "bridges: must map each bridge to the interfaces it may take ({} for none)")
                }
                var rules: [String: Set<String>] = [:]
                for (nameNode, rule) in bridges {
                    guard case let .scalar(name) = nameNode, Syntax.isName(name.string), name.string.utf8.count <= 15 else {
                        throw fail(nameNode, "bridges: \(shownValue(nameNode.scalar?.string ?? "?")) is not a bridge name")
                    }
                    guard case let .mapping(fields) = rule, fields.keys.allSatisfy({ $0.scalar?.string == "interfaces" }) else {
                        throw fail(rule, "bridges.\(name.string): must be {interfaces: [IFACE, …]} or {}")
                    }
                    var interfaces: [String] = []
                    if let list = fields["interfaces"] {
                        interfaces = try strings(list, "bridges.\(name.string).interfaces", fail: fail) {
                            Syntax.isInterfaceName($0) ? nil : "is not an interface name"
                        }
                    }
                    rules[name.string] = Set(interfaces)
                }
                policy.bridges = rules
            }
        }
        return policy
    }

    private static func strings(
        _ node: Node, _ key: String, fail: (Node?, String) -> AgentPolicyError,
        check: (String) -> String?
    ) throws(AgentPolicyError) -> [String] {
        guard case let .sequence(items) = node else { throw fail(node, "\(key): must be a list") }
        var out: [String] = []
        for item in items {
            guard case let .scalar(scalar) = item else { throw fail(item, "\(key): must hold strings") }
            if let problem = check(scalar.string) { throw fail(item, "\(key): \(shownValue(scalar.string)) \(problem)") }
            out.append(scalar.string)
        }
        return out
    }

    private static func pathProblem(_ path: String) -> String? {
        switch Syntax.pathProblem(path) {
        case nil: return path.split(separator: "/").contains(".") ? "has a '.' component" : nil
        case .notAbsolute: return "is not an absolute path"
        case .parentComponent, .root: return "is the root or has a '..' component"
        case .tooLong: return "is longer than 1024 bytes"
        case .forbiddenCharacter: return "has a character not allowed in a path"
        }
    }

    /// A path, or a path prefix ending in `*` below a directory (`/dev/mapper/backup-*`;
    /// never all of `/dev`).
    private static func devicePatternProblem(_ pattern: String) -> String? {
        let base = pattern.hasSuffix("*") ? String(pattern.dropLast()) : pattern
        guard base.split(separator: "/").count >= 2 else {
            return "is too wide: name a device, or a prefix below a directory (/dev/mapper/backup-*)"
        }
        return pathProblem(withoutTrailingSlash(base))
    }
}

// MARK: - Checks

/// An operation the policy does not allow: answered with `policy-denied`.
public struct PolicyRefusal: Error, Hashable, Sendable {
    /// The rule, as the file (or the documentation) names it: `volumeGroups`, `owned-volumes`, …
    public var rule: String
    public var message: String
}

extension AgentPolicy {
    func refusal(_ rule: String, _ detail: String) -> PolicyRefusal {
        let source = fromFile ? "policy \(path)" : "default policy (there is no \(path))"
        return PolicyRefusal(rule: rule, message: "refused by the agent's \(source), rule \(rule): \(detail)")
    }

    /// A hello may name only volume groups and image directories the policy lists.
    func checkHello(imageDirectories: [String], volumeGroups: [String]) throws(PolicyRefusal) {
        if let allowed = self.volumeGroups, let vg = volumeGroups.first(where: { !allowed.contains($0) }) {
            throw refusal("volumeGroups", "the hello names volume group \(vg), which is not listed")
        }
        if let allowed = self.imageDirectories,
            let dir = imageDirectories.first(where: { !allowed.contains(Self.withoutTrailingSlash($0)) })
        {
            throw refusal("imageDirectories", "the hello names image directory \(dir), which is not listed")
        }
    }

    /// Checks one operation for a session whose hello narrowed the policy to its own
    /// volume groups and image directories. `state` is read only for what needs the host's
    /// word: a volume's owner, a domain's protection, the disks of a configuration.
    func check(
        _ operation: HostOperation, session: AgentSession,
        state readState: () async throws -> HostState
    ) async throws {
        if isOpen { return }
        var observed: HostState?
        func state() async throws -> HostState {
            if let observed { return observed }
            let read = try await readState()
            observed = read
            return read
        }
        let kind = operation.kind
        switch operation {
        case let .save(domain, directory), let .restore(domain, directory):
            try checkSaveDirectory(directory, session: session, what: "\(kind) \(domain)")
        case let .removeSave(domain, directory, partial):
            try checkSaveDirectory(directory, session: session, what: "\(kind) \(domain)")
            // A suspended guest's memory is the guest: discarding it destroys the domain.
            if !partial, try await state().config(named: domain)?.protect == true {
                throw refusal(
                    "protected-domains", "\(kind) \(domain): \(domain) is protected on this host; the agent never discards its saved memory")
            }
        case let .backup(job):
            let what = "\(kind) \(job.domain)"
            try checkContainer(job.directory, session: session, what: what)
            // The snapshots are made beside the volumes.
            for disk in job.disks { try checkContainer(disk.container, session: session, what: "\(what) \(disk.vdev)") }
        case let .restoreVolume(container, name, _, source, replace):
            let label = volumeLabel(container, name)
            try checkContainer(container, session: session, what: "\(kind) \(label)")
            guard mayReadBackup(source.path) else {
                throw refusal("imageDirectories", "\(kind) \(label): \(source.path) is in no directory listed under imageDirectories")
            }
            // Replacing removes the volume there: only one xenplan created, as for remove-volume.
            if replace, let volume = try await state().volume(container: container, name: name), !volume.owned {
                let mark = container.hasPrefix("/") ? "no user.xenplan attribute" : "no LVM tag xenplan"
                throw refusal("owned-volumes", "\(kind) \(label): \(label) has \(mark); only volumes xenplan created are replaced")
            }
        case let .createVolumeFromImage(container, name, _, image):
            let what = "\(kind) \(volumeLabel(container, name))"
            try checkContainer(container, session: session, what: what)
            guard mayReadImage(image.path) else {
                throw refusal(
                    "imageSources", "\(what): image \(image.name) (\(image.path)) is in no directory listed under imageSources or imageDirectories")
            }
        case .writeSeed:
            // Only ever the domain's own file in the seed directory, which the request's
            // checks make sure of; domains are not restricted by name.
            return
        case let .writeBridgeFile(file):
            // Only the bridge's own file in the directory the driver fixes; the bridge and
            // its interface must be ones this agent may create.
            guard let bridges else { return }
            guard let interfaces = bridges[file.bridge] else {
                throw refusal("bridges", "\(kind) \(file.bridge): bridge \(file.bridge) is not listed")
            }
            if let interface = file.interface, !interfaces.contains(interface) {
                throw refusal("bridges", "\(kind) \(file.bridge): interface \(interface) is not in bridges.\(file.bridge).interfaces")
            }
        case let .removeBridgeFile(bridge):
            guard let bridges else { return }
            guard bridges[bridge] != nil else { throw refusal("bridges", "\(kind) \(bridge): bridge \(bridge) is not listed") }
        case let .createBridge(name, interface, _):
            guard let bridges else { return }
            guard let interfaces = bridges[name] else { throw refusal("bridges", "\(kind) \(name): bridge \(name) is not listed") }
            if let interface, !interfaces.contains(interface) {
                throw refusal("bridges", "\(kind) \(name): interface \(interface) is not in bridges.\(name).interfaces")
            }
        case let .createVolume(container, name, _), let .receiveVolume(container, name, _), let .commitVolume(container, name):
            try checkContainer(container, session: session, what: "\(kind) \(volumeLabel(container, name))")
        case let .sendVolume(t):
            // Read here, written on the other host under that agent's own policy.
            try checkContainer(t.container, session: session, what: "\(kind) \(volumeLabel(t.container, t.name))")
        case let .growVolume(container, name, _), let .removeVolume(container, name):
            let label = volumeLabel(container, name)
            try checkContainer(container, session: session, what: "\(kind) \(label)")
            guard let volume = try await state().volume(container: container, name: name) else {
                throw refusal("owned-volumes", "\(kind) \(label): there is no such volume among those this agent reads")
            }
            guard volume.owned else {
                let mark = container.hasPrefix("/") ? "no user.xenplan attribute" : "no LVM tag xenplan"
                throw refusal("owned-volumes", "\(kind) \(label): \(label) has \(mark); only volumes xenplan created are grown or removed")
            }
        case let .writeConfig(config):
            for disk in config.disks { try checkDisk(disk, domain: config.name, kind: kind, session: session) }
            if let cdrom = config.hvm?.cdrom { try checkCdrom(cdrom, domain: config.name, kind: kind) }
            if !config.protect, try await state().config(named: config.name)?.protect == true {
                throw refusal(
                    "protected-domains",
                    "\(kind) \(config.name): \(config.name) is protected on this host and this would lift it; lift it on the host itself")
            }
        case let .create(domain):
            for disk in try await state().config(named: domain)?.disks ?? [] {
                try checkDisk(disk, domain: domain, kind: kind, session: session)
            }
        case let .attachDisk(domain, disk):
            try checkDisk(disk, domain: domain, kind: kind, session: session)
        case let .removeConfig(name):
            let host = try await state()
            if host.config(named: name)?.protect == true, host.domain(named: name) != nil {
                throw refusal(
                    "protected-domains", "\(kind) \(name): \(name) is protected and runs here; removing its configuration would lift the protection")
            }
        case let .shutdown(domain, _), let .destroy(domain), let .discardMigrationCopy(domain, _):
            let base = Self.baseName(domain)
            if try await state().config(named: base)?.protect == true {
                throw refusal("protected-domains", "\(kind) \(domain): \(base) is protected on this host; the agent never shuts down or destroys it")
            }
        case .setMemory, .setVcpus, .setScheduler, .detachDisk, .attachNic, .detachNic, .migrate, .keepMigrationCopy:
            return
        }
    }

    private func volumeLabel(_ container: String, _ name: String) -> String {
        container.hasPrefix("/") ? "\(Self.withoutTrailingSlash(container))/\(name).img" : "\(container)/\(name)"
    }

    /// A volume group or image directory that the policy lists and the hello named.
    private func checkContainer(_ container: String, session: AgentSession, what: String) throws(PolicyRefusal) {
        if container.hasPrefix("/") {
            guard let allowed = imageDirectories else { return }
            let dir = Self.withoutTrailingSlash(container)
            guard allowed.contains(dir) else { throw refusal("imageDirectories", "\(what): directory \(dir) is not listed") }
            guard session.imageDirectories.map(Self.withoutTrailingSlash).contains(dir) else {
                throw refusal("imageDirectories", "\(what): directory \(dir) is listed, but this session's hello did not name it")
            }
        } else {
            guard let allowed = volumeGroups else { return }
            guard allowed.contains(container) else { throw refusal("volumeGroups", "\(what): volume group \(container) is not listed") }
            guard session.volumeGroups.contains(container) else {
                throw refusal("volumeGroups", "\(what): volume group \(container) is listed, but this session's hello did not name it")
            }
        }
    }

    /// The host's own save directory, or a `dir` pool directory the policy lists and the hello named.
    private func checkSaveDirectory(_ directory: String, session: AgentSession, what: String) throws(PolicyRefusal) {
        if Self.withoutTrailingSlash(directory) == SaveState.defaultDirectory { return }
        try checkContainer(directory, session: session, what: what)
    }

    /// A backup's copy is read only below a directory listed under `imageDirectories`
    /// (backups are kept in `dir` pools), the path written without `.`, `..` or `//`.
    func mayReadBackup(_ path: String) -> Bool {
        guard let imageDirectories else { return true }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard path.hasPrefix("/"), !parts.dropFirst().contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { return false }
        return imageDirectories.contains { path.hasPrefix($0 + "/" + BackupJob.folder + "/") }
    }

    /// A disk is a volume of the session's volume groups (`/dev/VG/NAME`), an image of its
    /// directories (`DIR/NAME.img`), the domain's own seed read-only, or a device the policy lists.
    private func checkDisk(_ disk: DomainConfig.Disk, domain: String, kind: String, session: AgentSession) throws(PolicyRefusal) {
        if devices == nil { return }
        let target = disk.target
        if disk.readOnly, target == CloudInitSeed.path(domain: Self.baseName(domain)) { return }
        let parts = target.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let canonical = target.hasPrefix("/") && !parts.dropFirst().contains { $0.isEmpty || $0 == "." || $0 == ".." }
        if canonical {
            if parts.count == 4, parts[1] == "dev", session.volumeGroups.contains(parts[2]) { return }
            let directory = parts.dropLast().joined(separator: "/")
            if target.hasSuffix(".img"), session.imageDirectories.map(Self.withoutTrailingSlash).contains(directory) { return }
            if Self.matches(target, devices ?? []) { return }
            if Self.matches(target, readOnlyDevices) {
                if disk.readOnly { return }
                throw refusal("readOnlyDevices", "\(kind) \(domain) \(disk.vdev): \(target) may be attached read-only only")
            }
        }
        throw refusal(
            "devices",
            "\(kind) \(domain) \(disk.vdev): \(target) is neither a volume of this session's volume groups or image directories nor a listed device")
    }

    /// A CD-ROM is only read: an image the policy lets the agent read, or a device listed
    /// for read-only (or any) use.
    private func checkCdrom(_ path: String, domain: String, kind: String) throws(PolicyRefusal) {
        if devices == nil || mayReadImage(path) { return }
        if Self.matches(path, (devices ?? []) + readOnlyDevices) { return }
        throw refusal(
            "imageSources", "\(kind) \(domain) cdrom: \(path) is in no directory listed under imageSources or imageDirectories, nor a listed device")
    }

    /// Whether the image at `path` may be read: below a directory listed under
    /// `imageSources` or `imageDirectories`, the path written without `.`, `..` or `//`.
    public func mayReadImage(_ path: String) -> Bool {
        guard let imageSources else { return true }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard path.hasPrefix("/"), !parts.dropFirst().contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { return false }
        return imageSources.union(imageDirectories ?? []).contains { path.hasPrefix($0 + "/") }
    }

    static func matches(_ path: String, _ patterns: [String]) -> Bool {
        patterns.contains { $0.hasSuffix("*") ? path.hasPrefix(String($0.dropLast())) : path == $0 }
    }

    /// `ldap` for `ldap--incoming` and `ldap--migratedaway`: a copy of a protected domain is protected.
    static func baseName(_ domain: String) -> String {
        for suffix in ["--incoming", "--migratedaway"] where domain.hasSuffix(suffix) { return String(domain.dropLast(suffix.count)) }
        return domain
    }
}
