import HostModel
import Manifest
import XenplanBasics

/// An action before ordering: its structural dependencies (same domain, volumes,
/// bridges) are known; capacity dependencies are added by the ordering.
struct Draft {
    var kind: ActionKind
    var host: String
    var domain: String?
    var targetHost: String?
    var summary: String
    var reason: String
    var disruption: Disruption
    var operations: [HostOperation]
    /// The host of each operation when they run on more than one (`PlannedAction.operationHosts`).
    var operationHosts: [String]?
    var waitsForBalloon = false
    /// Indices of drafts that must complete first.
    var deps: [Int] = []
    /// Resources taken when the action starts (on `takeHost`), and given back when it
    /// completes (on `releaseHost`). A migration takes on the target and releases on the
    /// source: for its whole duration it holds memory on both.
    var takeHost: String?
    var take = Resources()
    var releaseHost: String?
    var release = Resources()
    /// Volumes nothing uses once this action is done (orphan candidates).
    var leavesVolumes: [OrphanCandidate] = []

    /// Each operation with the host it runs on.
    var steps: [(host: String, operation: HostOperation)] {
        operations.enumerated().map { i, op in (operationHosts.flatMap { i < $0.count ? $0[i] : nil } ?? host, op) }
    }

    var isTaker: Bool { takeHost != nil && (take.memory.kib > 0 || take.vcpus > 0) }
}
