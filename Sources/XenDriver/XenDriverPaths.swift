import HostModel

/// Where the driver keeps and finds what it owns on a dom0. Tests point them at
/// temporary directories.
public struct XenDriverPaths: Hashable, Sendable {
    /// `xl` configurations xenplan owns: `<dir>/<name>.cfg`.
    public var configDirectory: String
    /// Links that make `xendomains` start a domain at boot.
    public var autoDirectory: String
    /// The directories of `dir` pools reachable from this host (image files `<name>.img`).
    public var imageDirectories: [String]
    /// The volume groups of `lvm` pools reachable from this host: the only ones `lvs`
    /// reads (none: no `lvs` at all).
    public var volumeGroups: [String]
    /// Network interfaces in sysfs, where bridges and their members are read.
    public var sysClassNet: String
    /// Where the domains' first-boot seeds live: `<dir>/<name>.iso`.
    public var seedDirectory: String
    /// The disk images the manifests declare for this host: the only image files read
    /// at observation (the first `ImageHeader.length` bytes of each).
    public var imagePaths: [String]
    /// Where save files go when the manifests name no `dir` pool for them.
    public var saveDirectory: String
    /// Where optional tools (`zstd`) are looked for; nil: the directories of `PATH`.
    public var toolDirectories: [String]?
    /// ifupdown's directory: `interfaces`, `interfaces.d/` (xenplan's bridge files) and
    /// bridge-utils' hook `if-pre-up.d/bridge`.
    public var networkDirectory: String
    /// The kernel's list of VLAN interfaces (8021q): name, id, parent.
    public var vlanConfig: String

    public init(
        configDirectory: String = "/etc/xen/xenplan", autoDirectory: String = "/etc/xen/auto",
        imageDirectories: [String] = [], volumeGroups: [String] = [], sysClassNet: String = "/sys/class/net",
        seedDirectory: String = CloudInitSeed.directory, imagePaths: [String] = [],
        saveDirectory: String = SaveState.defaultDirectory, toolDirectories: [String]? = nil,
        networkDirectory: String = "/etc/network", vlanConfig: String = "/proc/net/vlan/config"
    ) {
        self.configDirectory = configDirectory
        self.autoDirectory = autoDirectory
        self.imageDirectories = imageDirectories
        self.volumeGroups = volumeGroups
        self.sysClassNet = sysClassNet
        self.seedDirectory = seedDirectory
        self.imagePaths = imagePaths
        self.saveDirectory = saveDirectory
        self.toolDirectories = toolDirectories
        self.networkDirectory = networkDirectory
        self.vlanConfig = vlanConfig
    }

    /// Where xenplan's ifupdown files are (`BridgeFile.directory` on a real host).
    public var bridgeFileDirectory: String { "\(networkDirectory)/interfaces.d" }
    public func bridgeFilePath(_ bridge: String) -> String { "\(bridgeFileDirectory)/\(BridgeFile.fileName(bridge: bridge))" }

    public func configPath(_ name: String) -> String { "\(configDirectory)/\(name).cfg" }
    public func autoLink(_ name: String) -> String { "\(autoDirectory)/\(name).cfg" }
    public func seedPath(_ name: String) -> String { "\(seedDirectory)/\(name).iso" }

    /// The directories save files may be in: the save directory and the `dir` pools'.
    public var saveDirectories: [String] { [saveDirectory] + imageDirectories }
}
