import FoundationEssentials
import HostModel
import XenplanBasics

/// The simulated host's ifupdown: whether it would bring bridges back at boot, and the
/// files xenplan wrote; `reboot` shows what survives.
extension SimHostFile {
    public struct Network: Hashable, Codable, Sendable {
        public var ifupdown: Bool
        public var sourcesDirectory: Bool
        public var bridgeUtils: Bool
        /// xenplan's ifupdown files: bridge → text.
        public var files: [String: String]

        /// A Debian dom0 set up as docs/hosts.md says: ifupdown reading interfaces.d, bridge-utils.
        public init(ifupdown: Bool = true, sourcesDirectory: Bool = true, bridgeUtils: Bool = true, files: [String: String] = [:]) {
            self.ifupdown = ifupdown
            self.sourcesDirectory = sourcesDirectory
            self.bridgeUtils = bridgeUtils
            self.files = files
        }

        var persistence: BridgePersistence {
            BridgePersistence(
                ifupdown: ifupdown, sourcesDirectory: sourcesDirectory, bridgeUtils: bridgeUtils,
                files: files.keys.sorted().map { ObservedBridgeFile(bridge: $0, text: files[$0]!) })
        }

        /// Whether ifupdown would make bridges from the files at boot.
        var bringsBridgesBack: Bool { ifupdown && sourcesDirectory && bridgeUtils }
    }

    mutating func createBridge(name: String, interface: String?, vlan: Int?, fail: (String) -> HostError) throws {
        guard bridges[name] == nil else { throw fail(XlMessages.bridgeExists) }
        guard let interface else {
            bridges[name] = []
            return
        }
        var port = interface
        if let vlan {
            guard BridgeFile.vlanRange.contains(vlan) else { throw fail("Error: argument \"\(vlan)\" is wrong: invalid VLAN id") }
            port = "\(interface).\(vlan)"
            vlans[port] = VlanPort(name: port, parent: interface, id: vlan)
        }
        // An interface has one master: enslaving it moves it.
        for key in bridges.keys { bridges[key]?.removeAll { $0 == port } }
        bridges[name] = [port]
    }

    mutating func writeBridgeFile(_ file: BridgeFile, fail: (String) -> HostError) throws {
        guard network != nil else { throw fail("/etc/network/interfaces.d: No such file or directory") }
        network!.files[file.bridge] = file.text
    }

    mutating func removeBridgeFile(_ bridge: String) {
        network?.files[bridge] = nil
    }

    /// A person edits a file of xenplan's (`sim xl edit-bridge-file`): a line appended.
    mutating func editBridgeFile(_ bridge: String, fail: (String) -> HostError) throws {
        guard let text = network?.files[bridge] else { throw fail("\(BridgeFile.fileName(bridge: bridge)): No such file") }
        network!.files[bridge] = text + "    # changed by hand\n"
    }

    /// The dom0 restarts: every guest is gone (`xendomains` not enabled, as xenplan's
    /// hosts are set up); bridges and VLAN interfaces vanish, except those ifupdown makes
    /// again from xenplan's files (as the files say). Volumes, configurations, seeds and
    /// save files are on disk and stay.
    mutating func reboot() {
        domains = []
        nextDomid = 1
        var kept: [String: [String]] = [:]
        var keptVlans: [String: VlanPort] = [:]
        if let network, network.bringsBridgesBack {
            for (bridge, text) in network.files {
                let ports = Self.ports(inBridgeFile: text, bridge: bridge)
                kept[bridge] = ports
                for port in ports {
                    if let vlan = vlans[port] ?? Self.vlan(named: port) { keptVlans[port] = vlan }
                }
            }
        }
        bridges = kept
        vlans = keptVlans
    }

    /// The `bridge_ports` of the bridge's stanza (`none`: no port).
    static func ports(inBridgeFile text: String, bridge: String) -> [String] {
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ").map(String.init)
            if words.first == "bridge_ports" { return words.dropFirst().filter { $0 != "none" } }
        }
        return []
    }

    /// `eth0.10` read as ifupdown reads it: VLAN 10 on eth0.
    static func vlan(named port: String) -> VlanPort? {
        guard let dot = port.lastIndex(of: "."), let id = Int(port[port.index(after: dot)...]), BridgeFile.vlanRange.contains(id) else { return nil }
        return VlanPort(name: port, parent: String(port[..<dot]), id: id)
    }
}
