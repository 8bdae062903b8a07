/// The drafts so far and what later drafts must wait for: the previous draft of the same
/// domain (a domain's actions form a chain), the draft creating each bridge and volume.
struct DraftGraph {
    private(set) var drafts: [Draft] = []
    /// Last draft of each domain.
    private var lastOfDomain: [String: Int] = [:]
    /// Draft creating each bridge (`host/bridge`) and volume.
    var bridgeDraft: [String: Int] = [:]
    var volumeDraft: [VolumeKey: Int] = [:]
    /// Volumes that drafts leave unused, with the draft after which they are.
    var orphanCandidates: [OrphanCandidate] = []

    /// Appends a draft after the previous one of its domain; returns its index.
    mutating func add(_ draft: Draft) -> Int {
        var d = draft
        if let name = d.domain, let previous = lastOfDomain[name] { d.deps.append(previous) }
        let id = drafts.count
        drafts.append(d)
        if let name = d.domain { lastOfDomain[name] = id }
        for var candidate in d.leavesVolumes {
            candidate.after = id
            orphanCandidates.append(candidate)
        }
        return id
    }

    /// Adds to a draft's summary what is only known once later drafts exist.
    mutating func appendToSummary(of id: Int, _ text: String) {
        drafts[id].summary += text
    }
}
