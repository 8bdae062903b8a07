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

    var isTaker: Bool { takeHost != nil && (take.memory.kib > 0 || take.vcpus > 0) }
}

/// The planner's working state: the index of what was observed, the drafts so far, and
/// a ledger of where every guest will be and what it will cost once the drafts are done
/// (placement reads it, N+1 and usage report it).
struct PlanBuilder {
    struct LedgerEntry {
        var host: String
        var usage: Resources
        /// Running (or going to run) after the plan.
        var up: Bool
    }

    let lab: Lab
    let options: PlanOptions
    var hosts: [String: HostIndex] = [:]
    /// Observed hosts in name order.
    var hostNames: [String] = []
    var drafts: [Draft] = []
    var notices: [Notice] = []
    /// Guest name → its place and cost after the plan.
    var ledger: [String: LedgerEntry] = [:]
    /// Per host: resources in use once every draft so far is done.
    var projected: [String: Resources] = [:]
    /// Last draft of each domain, so its actions form a chain.
    var lastDraftOfDomain: [String: Int] = [:]
    /// Draft creating each bridge / volume, for dependencies.
    var bridgeDraft: [String: Int] = [:]          // "host/bridge"
    var volumeDraft: [VolumeKey: Int] = [:]
    /// Volumes some declared disk uses (never orphans), and those reported already.
    var desiredVolumes: Set<VolumeKey> = []
    var reportedVolumes: Set<VolumeKey> = []
    var orphanCandidates: [OrphanCandidate] = []
    /// Final host of each declared domain, for spread groups.
    var finalHost: [String: String] = [:]
    /// Declared domains by name.
    var declared: [String: DomainSpec] = [:]
    var poolsByName: [String: PoolSpec] = [:]
    var hostSpecs: [String: HostSpec] = [:]
    /// Where each observed guest runs / has a configuration: name → hosts (name order).
    var runningOn: [String: [String]] = [:]
    var configOn: [String: [String]] = [:]
    /// Domains Xen shows mid-migration or dying, by name: not planned until they settle.
    var unsettled: [String: [String]] = [:]
    /// Memory target and vCPUs a declared domain will run with where they differ from
    /// the manifests after the plan (a pending restart), for group quotas.
    var quotaMemory: [String: ByteSize] = [:]
    var quotaVcpus: [String: Int] = [:]
    /// Members of each group, by group name.
    var groupMembers: [String: [String]] = [:]

    init(lab: Lab, observed: [HostState], options: PlanOptions) {
        self.lab = lab
        self.options = options
        for p in lab.pools { poolsByName[p.name] = p }
        for h in lab.hosts { hostSpecs[h.name] = h }
        for d in lab.domains {
            declared[d.name] = d
            if let g = d.group { groupMembers[g, default: []].append(d.name) }
        }
        for state in observed.sorted(by: { $0.name < $1.name }) where hosts[state.name] == nil {
            let index = HostIndex(state: state, spec: hostSpecs[state.name], pools: lab.pools)
            hosts[state.name] = index
            hostNames.append(state.name)
            projected[state.name] = index.initialUsage
            for (name, i) in index.domains {
                let d = state.domains[i]
                runningOn[name, default: []].append(state.name)
                ledger[name] = LedgerEntry(host: state.name, usage: Resources(memory: Planner.footprint(of: d),
                                           vcpus: d.state.isUp ? d.vcpusOnline : 0), up: d.state.isUp)
            }
            for name in index.configs.keys { configOn[name, default: []].append(state.name) }
            for d in state.domains where d.domid != 0 && (d.transient != nil || d.state == .dying) {
                unsettled[d.name, default: []].append("\(d.transient.map { "\(d.name)--\($0 == .incoming ? "incoming" : "migratedaway")" } ?? "\(d.name) (dying)") on \(state.name)")
            }
        }
    }

    // MARK: Scope (--host / --domain)

    func hostInScope(_ host: String) -> Bool { options.hosts?.contains(host) ?? true }
    func domainInScope(_ domain: String, hosts involved: [String]) -> Bool {
        if let only = options.domains, !only.contains(domain) { return false }
        guard let only = options.hosts else { return true }
        return involved.contains { only.contains($0) }
    }

    // MARK: Adding drafts

    /// Appends a draft, chains it after the domain's previous one, and books its effect on
    /// the projected usage of its hosts.
    @discardableResult
    mutating func add(_ draft: Draft) -> Int {
        var d = draft
        if let name = d.domain, let previous = lastDraftOfDomain[name] { d.deps.append(previous) }
        let id = drafts.count
        drafts.append(d)
        if let name = d.domain { lastDraftOfDomain[name] = id }
        for var candidate in d.leavesVolumes {
            candidate.after = id
            orphanCandidates.append(candidate)
        }
        if let h = d.takeHost { projected[h, default: Resources()] += d.take }
        if let h = d.releaseHost { projected[h, default: Resources()] -= d.release }
        return id
    }

    mutating func notice(_ kind: NoticeKind, host: String?, domain: String?, _ message: String) {
        notices.append(Notice(kind: kind, host: host, domain: domain, message: message))
    }

    func limit(of host: String) -> Resources { hosts[host]?.limit ?? Resources() }
    func free(on host: String) -> Resources { limit(of: host) - (projected[host] ?? Resources()) }
}
