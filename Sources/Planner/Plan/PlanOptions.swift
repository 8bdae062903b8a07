/// What the user allows and restricts for this plan.
public struct PlanOptions: Hashable, Sendable {
    /// Apply changes that need a reboot even for domains with `restart: never`.
    public var allowRestart: Bool
    /// Remove volumes no longer declared.
    public var allowDataLoss: Bool
    /// Destroy unmanaged domains that are not declared.
    public var prune: Bool
    /// Keep only the actions on these hosts (a migration: from or to one of them). Every
    /// host is planned; an action whose dependencies are not kept is left out, with a notice.
    public var hosts: Set<String>?
    /// Keep only the actions of these domains (and the bridges and volumes they need).
    public var domains: Set<String>?
    /// Hosts of the lab that could not be observed, with why (`--skip-unreachable`): no
    /// guest that may run there is created, started or moved, and N+1 is not checked.
    public var unobservedHosts: [String: String]
    /// Where each domain was last started, as the journal recorded it: with a skipped
    /// host, a domain last started there counts as possibly running there.
    public var lastStartedHosts: [String: String]
    /// At most this many migrations into, and out of, one host at a time.
    public var maxMigrationsPerHost: Int
    /// Recorded in the backups this plan makes.
    public var xenplanVersion: String

    public init(
        allowRestart: Bool = false, allowDataLoss: Bool = false, prune: Bool = false,
        hosts: Set<String>? = nil, domains: Set<String>? = nil, unobservedHosts: [String: String] = [:],
        lastStartedHosts: [String: String] = [:], maxMigrationsPerHost: Int = 1,
        xenplanVersion: String = "unknown"
    ) {
        self.allowRestart = allowRestart
        self.allowDataLoss = allowDataLoss
        self.prune = prune
        self.hosts = hosts
        self.domains = domains
        self.unobservedHosts = unobservedHosts
        self.lastStartedHosts = lastStartedHosts
        self.maxMigrationsPerHost = maxMigrationsPerHost
        self.xenplanVersion = xenplanVersion
    }
}
