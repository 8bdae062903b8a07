import HostModel
import Manifest
import XenplanBasics

/// The diff of the lab against the hosts: for every domain, declared or not, the drafts
/// that bring it to its declared state, and a notice for each thing the plan will not do.
/// A domain that exists stays where it is unless `MigrationDecision` moves it; one that
/// does not exist goes where it is declared, or where `Placement` puts it.
struct Diff {
    let desired: DesiredState
    let observed: ObservedState
    var configs: DesiredConfigs
    var graph: DraftGraph
    var ledger: Ledger
    var notices: [Notice] = []
    /// Final host of each declared domain, for spread groups and stale configurations.
    var finalHost: [String: String] = [:]
    var volumes = VolumeUse()
    var quotas = GroupQuotas()
    var goneManifests: GoneManifests
    /// Configurations a start elsewhere removes (`host/domain`): not stale any more.
    var clearedConfigs: Set<String> = []
    /// Destroy drafts: each says what becomes of its volumes once the orphans are known.
    var destroyDrafts: [Int] = []
    /// Images a planned volume cannot be filled from, in words: the plan is refused.
    var imageProblems: [(host: String, domain: String, message: String)] = []
    /// Backups before destroys and volume removals (see `Diff+SafetyNet`).
    var safetyNet = SafetyNet()

    /// Starts from the hosts as `recovery` settled them, its drafts first.
    init(desired: DesiredState, recovery: MigrationRecovery) {
        self.desired = desired
        observed = recovery.observed
        configs = DesiredConfigs(desired: desired, observed: recovery.observed)
        graph = DraftGraph()
        ledger = Ledger(observed: recovery.observed)
        for (name, entry) in recovery.kept { ledger[name] = entry }
        goneManifests = GoneManifests(fileNames: desired.manifestFileNames)
        for draft in recovery.drafts { add(draft) }
    }

    /// Every domain, in the order the plan lists them: bridges first, then what goes
    /// away, then the declared domains (those without a host once the others are known),
    /// then what they leave behind. Throws when the lab cannot be reached at all.
    mutating func run() throws(PlanRefusal) {
        noteDesiredVolumes()
        planBridges()
        planLeftoverPartials()
        planUndeclared()
        planUndeclaredSaves()
        planInterruptedSaves()
        var unplaced: [DomainSpec] = []
        for d in desired.lab.domains where !planDeclared(d) { unplaced.append(d) }
        let placement = Placement(desired: desired, observed: observed)
        for d in unplaced {
            switch try placement.choose(for: d, ledger: ledger, finalHost: finalHost) {
            case let .host(h):
                finalHost[d.name] = h
                planCreate(d, on: h, placed: true)
            case let .nowhere(why):
                notice(.unplaceable, host: nil, domain: d.name, why)
            }
        }
        planStaleConfigs()
        planOrphans()
        finishDestroySummaries()
        for gone in goneManifests.notices() { notices.insert(gone, at: 0) }
        try quotas.check(desired)
        try checkImages()
        try checkSafetyNet()
    }

    /// Appends a draft, with the seed files its steps need, chained after the domain's
    /// previous one, and books its effect on the ledger.
    @discardableResult
    mutating func add(_ draft: Draft) -> Int {
        var d = draft
        withSeeds(&d)
        // A configuration rewritten without a disk lets that disk's volume go.
        for (host, op) in d.steps {
            guard case let .writeConfig(config) = op, let index = observed.hosts[host], let old = index.config(config.name) else { continue }
            let kept = Set(config.disks.map(\.target))
            for disk in old.disks where !kept.contains(disk.target) {
                guard let key = index.volumeByTarget[disk.target] else { continue }
                d.leavesVolumes.append(
                    OrphanCandidate(
                        key: key, host: host, domain: config.name, after: nil,
                        why: "was disk \(Normalize.vdev(disk.vdev)) of \(config.name)"))
            }
        }
        ledger.book(d)
        return graph.add(d)
    }

    /// The seed files the draft's steps need, each on the host of its step.
    private func withSeeds(_ d: inout Draft) {
        guard let hosts = d.operationHosts else {
            d.operations = configs.withSeeds(d.operations, on: d.host)
            return
        }
        var operations: [HostOperation] = []
        var placed: [String] = []
        var start = 0
        while start < d.operations.count {
            var end = start
            while end < d.operations.count && hosts[end] == hosts[start] { end += 1 }
            let run = configs.withSeeds(Array(d.operations[start..<end]), on: hosts[start])
            operations += run
            placed += Array(repeating: hosts[start], count: run.count)
            start = end
        }
        d.operations = operations
        d.operationHosts = placed
    }

    mutating func notice(_ kind: NoticeKind, host: String?, domain: String?, _ message: String) {
        notices.append(Notice(kind: kind, host: host, domain: domain, message: message))
    }

    /// The configuration xenplan writes for `d` on `host` (see `DesiredConfigs`).
    mutating func desiredConfig(_ d: DomainSpec, on host: String, observedNics: [NicState] = [], uuid: String? = nil) -> DomainConfig {
        configs.config(for: d, on: host, observedNics: observedNics, uuid: uuid, notices: &notices)
    }
}
