/// The result of planning: plain data, rendered elsewhere, saved with `--out` and
/// carried out by the executor. See docs/plan-format.md.
public struct Plan: Codable, Hashable, Sendable {
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var lab: String?
    /// `Lab.contentHash` of the manifests the plan was made from.
    public var manifestHash: String
    /// In an order that satisfies every `dependsOn`; `actions[i].id == i`.
    public var actions: [PlannedAction]
    public var notices: [Notice]
    /// One per observed host, by name.
    public var hosts: [HostUsage]
    /// One per host whose loss would strand domains; empty when the lab survives any one
    /// (or when it was not checked: see `nPlusOneNotChecked`).
    public var nPlusOne: [NPlusOne]
    /// Why N+1 could not be checked (a host was not observed); nil when it was.
    public var nPlusOneNotChecked: String?
    /// Fingerprint of every observed object the plan depends on, by key
    /// (`host/H`, `domain/H/D`, `config/H/D`, `save/H/D`, `volume/H/CONTAINER/NAME`, `bridge/H/B`).
    public var fingerprints: [String: String]
    /// Compact description of each fingerprinted object, by the same keys, so that a
    /// stale-plan message can name the field that changed.
    public var objectSummaries: [String: [String: String]]
    /// Where the manifests were read from, so that `apply PLANFILE` can reach the same
    /// hosts; set by the CLI when it saves a plan (absent in plans made elsewhere).
    public var manifestDirectory: String?
    /// The planning flags it was made with (absent in plans saved by older versions).
    public var madeWith: PlanFlags?

    public init(
        formatVersion: Int = Plan.currentFormatVersion, lab: String?, manifestHash: String,
        actions: [PlannedAction] = [], notices: [Notice] = [], hosts: [HostUsage] = [],
        nPlusOne: [NPlusOne] = [], nPlusOneNotChecked: String? = nil, fingerprints: [String: String] = [:],
        objectSummaries: [String: [String: String]] = [:], manifestDirectory: String? = nil,
        madeWith: PlanFlags? = nil
    ) {
        self.formatVersion = formatVersion
        self.lab = lab
        self.manifestHash = manifestHash
        self.actions = actions
        self.notices = notices
        self.hosts = hosts
        self.nPlusOne = nPlusOne
        self.nPlusOneNotChecked = nPlusOneNotChecked
        self.fingerprints = fingerprints
        self.objectSummaries = objectSummaries
        self.manifestDirectory = manifestDirectory
        self.madeWith = madeWith
    }

    /// No actions: the hosts match the manifests (notices may remain).
    public var isEmpty: Bool { actions.isEmpty }

    /// Number of actions per kind.
    public var countsByKind: [ActionKind: Int] {
        actions.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
    }

    /// Number of actions per disruption class.
    public var countsByDisruption: [Disruption: Int] {
        actions.reduce(into: [:]) { $0[$1.disruption, default: 0] += 1 }
    }

    /// Number of notices per kind.
    public var noticeCounts: [NoticeKind: Int] {
        notices.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
    }

    /// The most disruptive class among the actions (`.none` for an empty plan).
    public var maxDisruption: Disruption { actions.map(\.disruption).max() ?? .none }
}
