import XenplanBasics
import XenplanYAML

extension ManifestDecoder {
    static let hostKeys = ["connection", "dom0", "bridges", "limits", "sim", "agentCommand"]
    static let hostRequiredKeys = ["connection"]
    static let dom0Keys = ["memory", "vcpus"]
    static let minimumDom0Memory = ByteSize.mib(64)
    static let dom0VcpusRange = 1...512
    static let limitsKeys = ["vcpuRatio"]
    static let vcpuRatioRange = 1...64
    /// All required: a simulated machine has a size.
    static let simKeys = ["memory", "cpus"]
    static let minimumSimMemory = ByteSize.mib(256)
    static let simCpusRange = 1...4096
    static let bridgeKeys = ["interface", "vlan"]
    /// 802.1Q VLAN ids (0 and 4095 are reserved).
    static let vlanRange = 1...4094
    /// A bridge is a Linux interface: a name of at most this many bytes.
    static let maximumBridgeNameLength = 15
    /// The `agentCommand` that is not a path: the `xenplan` found in the host's PATH.
    static let agentCommandInPath = "xenplan"
    static let sshPortRange = 1...65535

    mutating func decodeHosts(_ node: Node) {
        for object in namedObjects(node, section: "hosts", kind: "host", keys: Self.hostKeys, required: Self.hostRequiredKeys) {
            let (what, fields) = (object.what, object.fields)
            var host = HostSpec(name: object.name, locations: object.locations)

            // nil when missing or unreadable: checks that depend on it are then skipped.
            var connection: Connection?
            if let field = fields["connection"], let text = reader.text(field.value, for: "connection of \(what)") {
                connection = Self.parseConnection(text.value)
                if let connection {
                    host.connection = connection
                } else {
                    reader.report(.badConnection(text.value, of: what, at: text.location))
                }
            }
            if let field = fields["dom0"],
                let dom0 = reader.object(field.value, "dom0 of \(what)", keys: Self.dom0Keys, at: field.keyLocation)
            {
                if let memory = dom0["memory"].flatMap({ reader.size($0.value, for: "dom0 memory of \(what)", atLeast: Self.minimumDom0Memory) }) {
                    host.dom0Memory = memory.value
                    host.locations.keys["dom0.memory"] = memory.location
                }
                if let vcpus = dom0["vcpus"].flatMap({ reader.int($0.value, for: "dom0 vcpus of \(what)", in: Self.dom0VcpusRange) }) {
                    host.dom0Vcpus = vcpus.value
                    host.locations.keys["dom0.vcpus"] = vcpus.location
                }
            }
            if let field = fields["bridges"] {
                host.bridges = decodeBridges(field.value, of: what)
            }
            if let field = fields["limits"],
                let limits = reader.object(field.value, "limits of \(what)", keys: Self.limitsKeys, at: field.keyLocation),
                let ratio = limits["vcpuRatio"].flatMap({ reader.int($0.value, for: "vcpuRatio of \(what)", in: Self.vcpuRatioRange) })
            {
                host.vcpuRatio = ratio.value
                host.locations.keys["limits.vcpuRatio"] = ratio.location
            }
            if let field = fields["sim"] {
                if let connection, connection != .sim {
                    reader.report(
                        .error(
                            "'sim' describes a simulated machine; \(what) has connection \(host.connection), so remove it",
                            at: field.keyLocation))
                }
                if let sim = reader.object(
                    field.value, "sim of \(what)", keys: Self.simKeys, required: Self.simKeys,
                    at: field.keyLocation)
                {
                    if let memory = sim["memory"].flatMap({ reader.size($0.value, for: "sim memory of \(what)", atLeast: Self.minimumSimMemory) }) {
                        host.simMemory = memory.value
                        host.locations.keys["sim.memory"] = memory.location
                    }
                    if let cpus = sim["cpus"].flatMap({ reader.int($0.value, for: "sim cpus of \(what)", in: Self.simCpusRange) }) {
                        host.simCpus = cpus.value
                        host.locations.keys["sim.cpus"] = cpus.location
                    }
                }
            } else if connection == .sim {
                reader.report(.missingKey("sim", in: "\(what) (connection sim)", at: object.keyLocation))
            }
            if let field = fields["agentCommand"], let text = reader.text(field.value, for: "agentCommand of \(what)") {
                if text.value == Self.agentCommandInPath {
                    host.agentCommand = text.value
                } else if let path = reader.path(field.value, for: "agentCommand of \(what)") {
                    host.agentCommand = path.value
                }
                if case .ssh = connection {
                } else if connection != nil {
                    reader.report(
                        .error(
                            "agentCommand is used only by ssh connections; \(what) has connection \(host.connection)",
                            at: field.keyLocation))
                }
            }
            if let memory = host.simMemory, memory <= host.dom0Memory {
                reader.report(
                    .error(
                        "dom0 of \(what) reserves \(host.dom0Memory), all of its \(memory) of memory",
                        at: host.locations.keys["dom0.memory"] ?? host.locations.keys["sim.memory"]))
            }
            file.hosts.append(host)
        }
    }

    private func decodeBridges(_ node: Node, of what: String) -> [BridgeSpec] {
        guard let entries = reader.entries(node, expected: "a mapping of bridge names", for: "bridges of \(what)") else { return [] }
        var bridges: [BridgeSpec] = []
        for entry in entries {
            if !Syntax.isName(entry.key) || entry.key.utf8.count > Self.maximumBridgeNameLength {
                reader.report(.invalidBridgeName(entry.key, of: what, at: entry.keyLocation))
            }
            let bridgeWhat = "bridge \(shown(entry.key)) of \(what)"
            var interface: String?
            var vlan: Int?
            if let fields = reader.object(entry.value, bridgeWhat, keys: Self.bridgeKeys, at: entry.keyLocation) {
                if let field = fields["interface"], let text = reader.text(field.value, for: "interface of \(bridgeWhat)") {
                    if Syntax.isInterfaceName(text.value) {
                        interface = text.value
                    } else {
                        reader.report(
                            .error(
                                "\(shown(text.value)) is not a valid interface name for \(bridgeWhat): use 1 to 15 of A-Z, a-z, 0-9, '.', '_', '-'",
                                at: text.location))
                    }
                }
                if let field = fields["vlan"], let id = reader.int(field.value, for: "vlan of \(bridgeWhat)", in: Self.vlanRange) {
                    if fields["interface"] == nil {
                        reader.report(
                            .error(
                                "vlan of \(bridgeWhat) needs interface: the VLAN interface is made on it (interface: eth0)",
                                at: field.keyLocation))
                    } else if let parent = interface, !Syntax.isInterfaceName("\(parent).\(id.value)") {
                        reader.report(
                            .error(
                                "the VLAN interface \(shown("\(parent).\(id.value)")) of \(bridgeWhat) is longer than the 15 characters of an interface name; use a shorter interface name",
                                at: id.location))
                    } else {
                        vlan = id.value
                    }
                }
            }
            bridges.append(BridgeSpec(name: entry.key, interface: interface, vlan: vlan, location: entry.keyLocation))
        }
        return bridges
    }

    /// `sim`, `local`, or `ssh://[user@]host[:port]` (an IPv6 host in brackets).
    static func parseConnection(_ text: String) -> Connection? {
        switch text {
        case "sim": return .sim
        case "local": return .local
        default: break
        }
        guard text.hasPrefix("ssh://") else { return nil }
        var rest = Substring(text.dropFirst(6))
        var user: String?
        if let at = rest.firstIndex(of: "@") {
            user = String(rest[..<at])
            guard Syntax.isUserName(user!) else { return nil }
            rest = rest[rest.index(after: at)...]
        }
        var host: String
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            guard !host.isEmpty, host.utf8.count <= 45,
                host.utf8.allSatisfy({ Syntax.isHex($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
            else { return nil }
            host = "[\(host)]"
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else {
            if let colon = rest.firstIndex(of: ":") {
                portText = rest[rest.index(after: colon)...]
                rest = rest[..<colon]
            }
            host = String(rest)
            guard Syntax.isHostName(host) else { return nil }
        }
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit),
                let value = Int(portText), sshPortRange.contains(value)
            else { return nil }
            port = value
        }
        return .ssh(user: user, host: host, port: port)
    }
}

extension Diagnostic {
    static func badConnection(_ text: String, of what: String, at location: SourceLocation) -> Diagnostic {
        .error("connection \(shown(text)) of \(what) is not one of sim, local, ssh://[user@]host[:port]", at: location)
    }

    static func invalidBridgeName(_ name: String, of what: String, at location: SourceLocation) -> Diagnostic {
        .error(
            "\(shown(name)) is not a valid bridge name for \(what): use 1 to 15 of a-z, 0-9, '.' and '-', starting with a letter or digit",
            at: location)
    }
}
