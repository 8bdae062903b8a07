import XenplanBasics

/// `saves: POOL`: where a suspended guest's memory image is kept. A save file is a plain
/// file, so only a `dir` pool holds one, and the host that writes it must reach the pool.
extension LabAssembler {
    mutating func checkSavePool(_ d: ResolvedDomain) {
        guard let name = d.spec.savePool, let at = d.origin["saves"] else { return }
        let domain = d.spec.name
        let notes = defaultsNote("saves", d)
        guard let pool = pools[name] else {
            diagnostics.append(
                .undeclared("pool", name, by: "saves of domain '\(domain)'", candidates: Array(pools.keys), at: at)
                    .adding(notes))
            return
        }
        guard case .dir = pool.kind else {
            diagnostics.append(
                .error(
                    "saves of domain '\(domain)' names pool '\(name)', an lvm pool: a save file is a plain file, so it goes in a dir pool",
                    at: at, notes: notes + [.init("pool '\(name)' is declared here", at: pool.locations.object)]))
            return
        }
        if let host = d.declared.host, hosts[host.value] != nil, !pool.hosts.contains(host.value) {
            // Inherited from defaults: the domain's host is what the user edits.
            let here = d.origin.isInherited("saves") ? host.location : at
            diagnostics.append(
                .poolUnreachable(domain: domain, pool: name, host: host.value, at: here, poolAt: pool.locations.object)
                    .adding(notes))
        }
    }
}

extension Diagnostic {
    /// The same diagnostic with `more` notes after its own.
    fileprivate func adding(_ more: [Note]) -> Diagnostic {
        var copy = self
        copy.notes += more
        return copy
    }
}
