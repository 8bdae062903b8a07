/// What a client asked for in its hello: the driver factory opens the host from it.
public struct AgentSession: Hashable, Sendable {
    /// The host's name as the lab calls it (the agent's `--host` when it was given one).
    public var host: String
    /// Directories of `dir` pools the lab declares for this host.
    public var imageDirectories: [String]
    /// Volume groups of `lvm` pools the lab declares for this host.
    public var volumeGroups: [String]
    /// Disk images the lab declares for this host, those the policy lets the agent read:
    /// the only image files observed.
    public var imagePaths: [String]
    /// The client's xenplan version, if it said.
    public var client: String?

    public init(
        host: String, imageDirectories: [String] = [], volumeGroups: [String] = [], imagePaths: [String] = [],
        client: String? = nil
    ) {
        self.host = host
        self.imageDirectories = imageDirectories
        self.volumeGroups = volumeGroups
        self.imagePaths = imagePaths
        self.client = client
    }
}
