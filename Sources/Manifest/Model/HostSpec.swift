import XenplanBasics

/// How xenplan reaches a host.
public enum Connection: Hashable, Sendable, CustomStringConvertible {
    /// A simulated host kept as a file under the state directory.
    case sim
    /// This machine is the dom0: libxenstore, libxenctrl, `xl`.
    case local
    /// `xenplan agent` run over OpenSSH.
    case ssh(user: String?, host: String, port: Int?)

    public var description: String {
        switch self {
        case .sim: return "sim"
        case .local: return "local"
        case let .ssh(user, host, port):
            return "ssh://" + (user.map { "\($0)@" } ?? "") + host + (port.map { ":\($0)" } ?? "")
        }
    }
}

public struct BridgeSpec: Hashable, Sendable {
    public var name: String
    /// The physical interface enslaved to the bridge; nil for a host-only bridge.
    public var interface: String?
    /// The 802.1Q VLAN id: the bridge's port is the VLAN interface `<interface>.<vlan>`.
    public var vlan: Int?
    public var location: SourceLocation?
    public init(name: String, interface: String?, vlan: Int? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.interface = interface
        self.vlan = vlan
        self.location = location
    }
}

public struct HostSpec: Hashable, Sendable {
    public var name: String
    public var connection: Connection
    /// Memory reserved for dom0 (never given to guests).
    public var dom0Memory: ByteSize
    public var dom0Vcpus: Int
    public var bridges: [BridgeSpec]
    /// At most this many guest vCPUs per physical CPU.
    public var vcpuRatio: Int
    /// For `connection: sim`: the simulated machine.
    public var simMemory: ByteSize?
    public var simCpus: Int?
    /// For `connection: ssh://…`: the command run on the host (default `xenplan`).
    public var agentCommand: String
    public var locations: KeyLocations

    public static let defaultVcpuRatio = 4
    public static let defaultDom0Memory = ByteSize.gib(1)

    public init(
        name: String, connection: Connection = .sim, dom0Memory: ByteSize = HostSpec.defaultDom0Memory,
        dom0Vcpus: Int = 1, bridges: [BridgeSpec] = [], vcpuRatio: Int = HostSpec.defaultVcpuRatio,
        simMemory: ByteSize? = nil, simCpus: Int? = nil, agentCommand: String = "xenplan",
        locations: KeyLocations = KeyLocations()
    ) {
        self.name = name
        self.connection = connection
        self.dom0Memory = dom0Memory
        self.dom0Vcpus = dom0Vcpus
        self.bridges = bridges.sorted { $0.name < $1.name }
        self.vcpuRatio = vcpuRatio
        self.simMemory = simMemory
        self.simCpus = simCpus
        self.agentCommand = agentCommand
        self.locations = locations
    }
}
