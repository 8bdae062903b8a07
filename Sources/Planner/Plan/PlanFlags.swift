/// The planning flags a plan was made with, recorded in it so that `apply PLANFILE` can
/// make the same plan again. They only ever narrow what runs: the apply must be given the
/// same `--allow-*` flags itself (see `ApplyOperation`), so editing them widens nothing.
public struct PlanFlags: Codable, Hashable, Sendable {
    public var allowRestart: Bool
    public var allowDataLoss: Bool
    public var prune: Bool
    public var hosts: [String]?
    public var domains: [String]?
    /// Hosts skipped with `--skip-unreachable`.
    public var skippedHosts: [String]

    public init(
        allowRestart: Bool = false, allowDataLoss: Bool = false, prune: Bool = false,
        hosts: [String]? = nil, domains: [String]? = nil, skippedHosts: [String] = []
    ) {
        self.allowRestart = allowRestart
        self.allowDataLoss = allowDataLoss
        self.prune = prune
        self.hosts = hosts
        self.domains = domains
        self.skippedHosts = skippedHosts
    }
}

extension PlanOptions {
    /// What a saved plan records of these options.
    public var flags: PlanFlags {
        PlanFlags(
            allowRestart: allowRestart, allowDataLoss: allowDataLoss, prune: prune,
            hosts: hosts.map { $0.sorted() }, domains: domains.map { $0.sorted() },
            skippedHosts: unobservedHosts.keys.sorted())
    }
}
