import HostModel

/// One step of a plan: what happens, where, why, how disruptive, and exactly which host
/// operations the executor performs for it.
public struct PlannedAction: Codable, Hashable, Sendable {
    /// Index in `Plan.actions`.
    public var id: Int
    public var kind: ActionKind
    /// The host the operations run on (for a migration: the source host).
    public var host: String
    public var domain: String?
    /// For a migration: the receiving host.
    public var targetHost: String?
    /// What changes, for people: `256 MiB → 512 MiB, live (maxmem 1 GiB)`.
    public var summary: String
    /// Why the action exists, and why it is ordered where it is.
    public var reason: String
    public var disruption: Disruption
    /// Exactly what the executor performs on `host`, in order.
    public var operations: [HostOperation]
    /// For an action whose operations run on more than one host (a cold move: the volumes
    /// received on the target, sent from the source, the guest started on the target):
    /// the host of each operation, as many as `operations`. Absent: all run on `host`.
    public var operationHosts: [String]?
    /// Ids of the actions that must have completed first.
    public var dependsOn: [Int]
    /// A memory decrease: the step completes only when the domain's actual memory has
    /// reached its target (the balloon driver gives pages back over time).
    public var waitsForBalloon: Bool

    public init(
        id: Int, kind: ActionKind, host: String, domain: String? = nil, targetHost: String? = nil,
        summary: String, reason: String, disruption: Disruption, operations: [HostOperation],
        operationHosts: [String]? = nil, dependsOn: [Int] = [], waitsForBalloon: Bool = false
    ) {
        self.id = id
        self.kind = kind
        self.host = host
        self.domain = domain
        self.targetHost = targetHost
        self.summary = summary
        self.reason = reason
        self.disruption = disruption
        self.operations = operations
        self.operationHosts = operationHosts
        self.dependsOn = dependsOn
        self.waitsForBalloon = waitsForBalloon
    }
}

extension PlannedAction {
    /// Each operation with the host it runs on, in order.
    public var steps: [(host: String, operation: HostOperation)] {
        operations.enumerated().map { i, op in
            (operationHosts.flatMap { i < $0.count ? $0[i] : nil } ?? host, op)
        }
    }
}
