import XenplanBasics

/// The backup policies: the lab-wide one, and each domain's (its own keys over the
/// lab-wide ones, or `none`). A policy's pool must be a declared `dir` pool, reached by
/// the domain's host when it has one.
extension LabAssembler {
    mutating func mergeBackups(_ file: ManifestFile) {
        guard let declared = file.backups else { return }
        if let first = declaredLabBackups {
            diagnostics.append(
                .error(
                    "backups are written in more than one file; keep the lab-wide policy in one", at: declared.location,
                    notes: [.init("first written here", at: first.location)]))
        } else {
            declaredLabBackups = declared
        }
    }

    /// Sets `labBackups` and every domain's resolved policy.
    mutating func resolveBackups() {
        if let declared = declaredLabBackups, let pool = declared.pool {
            checkBackupPool(pool, of: "backups")
            labBackups = BackupPolicy(
                pool: pool.value, keep: declared.keep?.value ?? BackupPolicy.defaultKeep,
                consistency: declared.consistency?.value ?? BackupPolicy.defaultConsistency)
        }
        for i in domains.indices {
            let name = domains[i].spec.name
            guard let own = domains[i].declared.backups else {
                domains[i].spec.backups = labBackups
                if let lab = declaredLabBackups?.pool, let host = domains[i].declared.host, let pool = pools[lab.value],
                    hosts[host.value] != nil, !pool.hosts.contains(host.value)
                {
                    diagnostics.append(
                        .backupPoolUnreachable(
                            domain: name, pool: lab.value, host: host.value, at: domains[i].spec.locations.object,
                            notes: [.init("the lab-wide backups policy names it here", at: lab.location)]))
                }
                continue
            }
            if own.none {
                domains[i].spec.backups = nil
                continue
            }
            let what = "backups of domain \(shown(name))"
            guard let pool = own.pool ?? declaredLabBackups?.pool else {
                // A lab-wide policy without a pool is reported once, where it is written.
                if declaredLabBackups != nil { continue }
                diagnostics.append(
                    .error(
                        "\(what) names no pool, and the lab has no backups policy to take one from; add 'pool: NAME' here, or a top-level 'backups: {pool: NAME}'",
                        at: own.location))
                continue
            }
            if let ownPool = own.pool {
                checkBackupPool(ownPool, of: what)
            }
            if let host = domains[i].declared.host, let spec = pools[pool.value], hosts[host.value] != nil, !spec.hosts.contains(host.value) {
                diagnostics.append(.backupPoolUnreachable(domain: name, pool: pool.value, host: host.value, at: pool.location, notes: []))
            }
            domains[i].spec.backups = BackupPolicy(
                pool: pool.value, keep: own.keep?.value ?? declaredLabBackups?.keep?.value ?? BackupPolicy.defaultKeep,
                consistency: own.consistency?.value ?? declaredLabBackups?.consistency?.value ?? BackupPolicy.defaultConsistency)
        }
    }

    /// A declared pool, and a `dir` one: a backup is files.
    private mutating func checkBackupPool(_ pool: Declared<String>, of what: String) {
        guard let spec = pools[pool.value] else {
            diagnostics.append(.undeclared("pool", pool.value, by: what, candidates: Array(pools.keys), at: pool.location))
            return
        }
        if case let .lvm(vg) = spec.kind {
            diagnostics.append(
                .error(
                    "\(what) names pool '\(spec.name)', an lvm pool (volume group \(shown(vg))): backups are files, a copy of each disk beside its record, so they need a dir pool",
                    at: pool.location, notes: [.init("pool '\(spec.name)' is declared here", at: spec.locations.object)]))
        }
    }
}

extension Diagnostic {
    static func backupPoolUnreachable(
        domain: String, pool: String, host: String, at location: SourceLocation?, notes: [Note]
    ) -> Diagnostic {
        .error(
            "domain '\(domain)' is backed up to pool '\(pool)', which host '\(host)' cannot reach; name a pool it reaches in the domain's backups, or say 'backups: none'",
            at: location, notes: notes)
    }
}
