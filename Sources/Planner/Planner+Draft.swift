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
    /// Destroy drafts, and the volume removals planned after them, so that each destroy
    /// can say truthfully what becomes of its volumes.
    var destroyDrafts: [Int] = []
    var removedVolumes: [VolumeKey: Int] = [:]
    /// File names of the manifests read, and the domains a plan would destroy whose
    /// recorded manifest file is not among them.
    let manifestFileNames: Set<String>
    var goneManifests: [String: [String]] = [:]
    /// Every MAC the lab already uses (declared or observed), lower-case, and those the
    /// planner chose: a chosen MAC is never one of them.
    var usedMACs: Set<String> = []
    var chosenMACs: [String: String] = [:]
    /// Devices running guests have attached, by device identity (see `attachedDevices`).
    var devicesInUse: [String: [(domain: String, host: String, readOnly: Bool)]] = [:]
    /// The seed each seeded domain's configuration stands for, by domain name, and the
    /// domains whose identity difference was reported already.
    var seeds: [String: CloudInitSeed] = [:]
    var seedNoticed: Set<String> = []
    /// Images a planned volume cannot be filled from, in words: the plan is refused.
    var imageProblems: [(host: String, domain: String, message: String)] = []

    init(lab: Lab, observed: [HostState], options: PlanOptions) {
        self.lab = lab
        self.options = options
        manifestFileNames = Set(lab.files.map(PlanBuilder.fileName))
        for d in lab.domains {
            for nic in d.network { if let mac = Normalize.mac(nic.mac) { usedMACs.insert(mac) } }
        }
        for state in observed {
            for d in state.domains { for nic in d.nics { if let mac = Normalize.mac(nic.mac) { usedMACs.insert(mac) } } }
            for c in state.configs { for nic in c.nics { if let mac = Normalize.mac(nic.mac) { usedMACs.insert(mac) } } }
        }
        defer { devicesInUse = attachedDevices() }
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

    // MARK: Adding drafts

    /// Appends a draft, chains it after the domain's previous one, and books its effect on
    /// the projected usage of its hosts.
    @discardableResult
    mutating func add(_ draft: Draft) -> Int {
        var d = draft
        d.operations = withSeeds(d.operations, on: d.host)
        if let name = d.domain, let previous = lastDraftOfDomain[name] { d.deps.append(previous) }
        // A configuration rewritten without a disk lets that disk's volume go.
        for case let .writeConfig(config) in d.operations {
            guard let index = hosts[d.host], let old = index.config(config.name) else { continue }
            let kept = Set(config.disks.map(\.target))
            for disk in old.disks where !kept.contains(disk.target) {
                guard let key = index.volumeByTarget[disk.target] else { continue }
                d.leavesVolumes.append(OrphanCandidate(key: key, host: d.host, domain: config.name, after: nil,
                                                       why: "was disk \(Normalize.vdev(disk.vdev)) of \(config.name)"))
            }
        }
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

    /// The last component of a path: how a configuration records its manifest file.
    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    func limit(of host: String) -> Resources { hosts[host]?.limit ?? Resources() }
    func free(on host: String) -> Resources { limit(of: host) - (projected[host] ?? Resources()) }
}
