import XenplanBasics

/// The Debian ifupdown file that brings a bridge xenplan created back at boot:
/// `/etc/network/interfaces.d/xenplan-<bridge>`, owned by xenplan. Its first line is
/// `marker`: only files that start with it are read, rewritten or removed; any other
/// file in the directory is someone else's and left alone.
///
/// The bridge's stanza uses bridge-utils' options (`bridge_ports`, `bridge_stp`,
/// `bridge_fd`), which its ifupdown hook reads; a VLAN port (`eth0.10`) gets a stanza of
/// its own before the bridge's, which ifupdown turns into `ip link add link eth0 name
/// eth0.10 type vlan id 10` by itself (no `vlan` package needed).
public struct BridgeFile: Hashable, Codable, Sendable {
    public var bridge: String
    /// The interface enslaved to the bridge (the VLAN's parent with `vlan`); nil for a host-only bridge.
    public var interface: String?
    /// The 802.1Q VLAN id: the bridge's port is `<interface>.<vlan>`.
    public var vlan: Int?

    public init(bridge: String, interface: String?, vlan: Int? = nil) {
        self.bridge = bridge
        self.interface = interface
        self.vlan = vlan
    }

    /// Where ifupdown reads extra stanzas from (Debian's `/etc/network/interfaces` sources it).
    public static let directory = "/etc/network/interfaces.d"
    /// The first line of every file xenplan owns there.
    public static let marker = "# Written by xenplan for a bridge it manages; rewritten by xenplan: edit the manifests, not this file."
    public static let prefix = "xenplan-"
    /// The VLAN ids 802.1Q allows (0 and 4095 are reserved).
    public static let vlanRange = 1...4094
    /// A file of ours is a few hundred bytes: anything longer was not written by xenplan.
    public static let maxBytes = 4_096

    /// `xenplan-<bridge>`, a `.` in the bridge's name written `_`: ifupdown's
    /// `source-directory` reads only names of letters, digits, `_` and `-`, and `_` is in
    /// no bridge name, so two bridges never share a file.
    public static func fileName(bridge: String) -> String {
        prefix + String(bridge.map { $0 == "." ? "_" : $0 })
    }

    /// The bridge a file name of ours stands for; nil for any other name.
    public static func bridge(fileName: String) -> String? {
        guard fileName.hasPrefix(prefix) else { return nil }
        let name = String(fileName.dropFirst(prefix.count).map { $0 == "_" ? "." : $0 })
        return Syntax.isName(name) && name.utf8.count <= 15 ? name : nil
    }

    public var fileName: String { Self.fileName(bridge: bridge) }

    /// The bridge's port: the interface, or its VLAN interface `<interface>.<vlan>`.
    public var port: String? { interface.map { i in vlan.map { "\(i).\($0)" } ?? i } }

    /// The whole file, byte for byte what xenplan writes and expects to read back.
    public var text: String {
        var lines = [Self.marker]
        if let port, vlan != nil {
            lines += ["", "auto \(port)", "iface \(port) inet manual"]
        }
        lines += [
            "", "auto \(bridge)", "iface \(bridge) inet manual",
            "    bridge_ports \(port ?? "none")",
            "    bridge_stp off",
            "    bridge_fd 0",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}

/// What a host says about making bridges survive a reboot: whether ifupdown would read
/// xenplan's files and bridge-utils would act on them, and the files xenplan owns.
public struct BridgePersistence: Hashable, Codable, Sendable {
    /// `/etc/network/interfaces` exists (ifupdown is the host's network configuration).
    public var ifupdown: Bool
    /// It reads `/etc/network/interfaces.d` (`source /etc/network/interfaces.d/*` or
    /// `source-directory /etc/network/interfaces.d`), as Debian's default file does.
    public var sourcesDirectory: Bool
    /// bridge-utils' ifupdown hook (`/etc/network/if-pre-up.d/bridge`) is installed:
    /// without it `bridge_ports` means nothing and the bridge is not made at boot.
    public var bridgeUtils: Bool
    /// The files with xenplan's marker, by bridge, in name order.
    public var files: [ObservedBridgeFile]

    public init(ifupdown: Bool, sourcesDirectory: Bool, bridgeUtils: Bool, files: [ObservedBridgeFile] = []) {
        self.ifupdown = ifupdown
        self.sourcesDirectory = sourcesDirectory
        self.bridgeUtils = bridgeUtils
        self.files = files
    }

    /// Why a file written now would not bring bridges back at boot; nil when it would.
    public var missing: String? {
        if !ifupdown { return "/etc/network/interfaces does not exist (ifupdown is not installed or not in use)" }
        if !bridgeUtils { return "bridge-utils is not installed (apt install bridge-utils)" }
        if !sourcesDirectory { return "/etc/network/interfaces does not read /etc/network/interfaces.d (add `source /etc/network/interfaces.d/*`)" }
        return nil
    }

    public func file(of bridge: String) -> ObservedBridgeFile? { files.first { $0.bridge == bridge } }
}

/// One of xenplan's files as found: the bridge it is for and its whole text.
public struct ObservedBridgeFile: Hashable, Codable, Sendable {
    public var bridge: String
    public var text: String
    public init(bridge: String, text: String) {
        self.bridge = bridge
        self.text = text
    }
}

/// A VLAN interface enslaved to a bridge: its name, the interface it is on, its id.
public struct VlanPort: Hashable, Codable, Sendable {
    public var name: String
    public var parent: String
    public var id: Int
    public init(name: String, parent: String, id: Int) {
        self.name = name
        self.parent = parent
        self.id = id
    }
}
