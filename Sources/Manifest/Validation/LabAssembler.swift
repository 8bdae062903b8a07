import XenplanBasics

/// Merges the files of a directory into one `Lab`: each object defined once, defaults
/// applied, disks' pools resolved, and every rule that involves more than one value
/// checked. Collects all diagnostics; the caller throws if any is an error.
struct LabAssembler {
    var diagnostics: [Diagnostic] = []

    var labName: Declared<String>?
    var format = 1
    var defaults: DeclaredDomain?
    var pools: [String: PoolSpec] = [:]
    var poolHostLocations: [String: [SourceLocation]] = [:]
    var hosts: [String: HostSpec] = [:]
    var groups: [String: GroupSpec] = [:]
    var declaredImages: [String: DeclaredImage] = [:]
    /// Resolved in `resolveImages`.
    var images: [String: ImageSpec] = [:]
    /// Images whose pool or path was refused: their hosts are unknown, so disks that use
    /// them are not checked against them.
    var unresolvedImages: Set<String> = []
    /// Each file's lab-wide `sshKeys`, in file order.
    var declaredSSHKeys: [Declared<[String]>] = []
    var labSSHKeys: [String] = []
    /// In file order, then written order: the order "first used by" notes follow.
    var declaredDomains: [DeclaredDomain] = []
    /// Index of each name in `declaredDomains`, so that duplicate checks stay linear.
    var declaredDomainIndex: [String: Int] = [:]
    /// The pool a disk without `pool` goes to: per host, and for domains without a host.
    var defaultPoolByHost: [String: String] = [:]
    var defaultPoolForAllHosts: String?
    var domains: [ResolvedDomain] = []
    /// Filled by `findManagedVolumes`, once the domains are resolved.
    var managedVolumes: [String: ManagedVolume] = [:]
    /// The domain and disk a managed volume belongs to, and where the disk is declared.
    typealias ManagedVolume = (domain: String, disk: String, location: SourceLocation)
    /// The top-level `backups:` as written, and as resolved in `resolveBackups`.
    var declaredLabBackups: DeclaredBackups?
    var labBackups: BackupPolicy?

    /// A domain with defaults applied, and where each of its values came from.
    struct ResolvedDomain {
        var spec: DomainSpec
        var declared: DeclaredDomain
        /// Where each value was written: on the domain, or in `defaults`.
        var origin: ValueOrigins
        var nics: [DeclaredNic]
    }

    /// Everything that a set of decoded files declares, checked.
    static func assemble(_ files: [ManifestFile], contentHash: String) -> (Lab, [Diagnostic]) {
        var assembler = LabAssembler()
        for file in files { assembler.merge(file) }
        if assembler.labName == nil, let first = files.first {
            assembler.diagnostics.append(.warning("no manifest names the lab; add 'lab: NAME' to one of them", at: .file(first.path)))
        }
        assembler.checkPools()
        assembler.prepareDefaultPools()
        assembler.resolveImages()
        assembler.mergeLabSSHKeys()
        assembler.resolveDomains()
        assembler.resolveBackups()
        assembler.findManagedVolumes()
        assembler.checkImagesAreNotVolumes()
        assembler.checkUniqueness()
        assembler.checkGroups()
        assembler.checkHostCapacity()
        let lab = Lab(
            name: assembler.labName?.value, format: assembler.format, pools: Array(assembler.pools.values),
            hosts: Array(assembler.hosts.values), groups: Array(assembler.groups.values),
            domains: assembler.domains.map(\.spec), images: Array(assembler.images.values),
            sshKeys: assembler.labSSHKeys, files: files.map(\.path), contentHash: contentHash, backups: assembler.labBackups)
        return (lab, assembler.diagnostics)
    }

    private mutating func merge(_ file: ManifestFile) {
        if let name = file.lab {
            if let first = labName {
                if first.value != name.value {
                    diagnostics.append(.labNamedTwice(name.value, at: name.location, first: first))
                }
            } else {
                labName = name
            }
        }
        if let fileFormat = file.format { format = max(format, fileFormat.value) }
        if let fileDefaults = file.defaults {
            if let first = defaults {
                diagnostics.append(.defaultsTwice(at: fileDefaults.location, first: first.location))
            } else {
                defaults = fileDefaults
            }
        }
        for pool in file.pools {
            if let first = pools[pool.name] {
                diagnostics.append(.definedTwice("pool", pool.name, at: pool.locations.object, first: first.locations.object))
            } else {
                pools[pool.name] = pool
                poolHostLocations[pool.name] = file.poolHostLocations[pool.name]
            }
        }
        for host in file.hosts {
            if let first = hosts[host.name] {
                diagnostics.append(.definedTwice("host", host.name, at: host.locations.object, first: first.locations.object))
            } else {
                hosts[host.name] = host
            }
        }
        for group in file.groups {
            if let first = groups[group.name] {
                diagnostics.append(.definedTwice("group", group.name, at: group.locations.object, first: first.locations.object))
            } else {
                groups[group.name] = group
            }
        }
        for image in file.images {
            if let first = declaredImages[image.name] {
                diagnostics.append(.definedTwice("image", image.name, at: image.locations.object, first: first.locations.object))
            } else {
                declaredImages[image.name] = image
            }
        }
        if let keys = file.sshKeys { declaredSSHKeys.append(keys) }
        mergeBackups(file)
        for domain in file.domains {
            if let firstIndex = declaredDomainIndex[domain.name] {
                let first = declaredDomains[firstIndex]
                diagnostics.append(.definedTwice("domain", domain.name, at: domain.location, first: first.location))
            } else {
                declaredDomainIndex[domain.name] = declaredDomains.count
                declaredDomains.append(domain)
            }
        }
    }

    // MARK: - Pools

    private mutating func checkPools() {
        var containers: [String: (pool: String, location: SourceLocation?)] = [:]
        for pool in pools.values.sorted(by: { $0.name < $1.name }) {
            let locations = poolHostLocations[pool.name] ?? []
            for (index, host) in pool.hosts.enumerated() where hosts[host] == nil {
                let at = index < locations.count ? locations[index] : pool.locations["hosts"]
                diagnostics.append(.undeclared("host", host, by: "pool '\(pool.name)'", candidates: Array(hosts.keys), at: at))
            }
            if pool.hosts.count > 1 && !pool.shared {
                diagnostics.append(.unsharedPool(pool.name, hosts: pool.hosts.count, at: pool.locations["hosts"]))
            }
            if pool.hosts.count == 1 && pool.shared {
                diagnostics.append(
                    .warning(
                        "pool '\(pool.name)' is shared but only host '\(pool.hosts[0])' reaches it",
                        at: pool.locations["shared"]))
            }
            for host in pool.hosts where !pool.container.isEmpty {
                let key = "\(host)\u{0}\(pool.container)"
                if let first = containers[key] {
                    let thing = if case .lvm = pool.kind { "volume group" } else { "directory" }
                    diagnostics.append(
                        .error(
                            "pools '\(first.pool)' and '\(pool.name)' are the same \(thing) \(shown(pool.container)) on host '\(host)'",
                            at: pool.locations["hosts"], notes: [.init("pool '\(first.pool)' is declared here", at: first.location)]))
                } else {
                    containers[key] = (pool.name, pool.locations.object)
                }
            }
        }
    }

    /// Pools in name order.
    var sortedPools: [PoolSpec] { pools.values.sorted { $0.name < $1.name } }

    /// Computed once: resolving thousands of disks must not sort the pools each time.
    mutating func prepareDefaultPools() {
        let sorted = sortedPools
        for pool in sorted.reversed() {
            for host in pool.hosts { defaultPoolByHost[host] = pool.name }
        }
        defaultPoolForAllHosts = sorted.first { pool in hosts.keys.allSatisfy { pool.hosts.contains($0) } }?.name
    }
}

extension Diagnostic {
    static func definedTwice(_ kind: String, _ name: String, at location: SourceLocation?, first: SourceLocation?) -> Diagnostic {
        .error("\(kind) \(shown(name)) is defined more than once", at: location, notes: [.init("first defined here", at: first)])
    }

    static func undeclared(
        _ kind: String, _ name: String, by user: String, candidates: [String],
        at location: SourceLocation?
    ) -> Diagnostic {
        let hint = Suggestion.closest(to: name, among: candidates.sorted()).map { "; did you mean '\($0)'?" } ?? ""
        return .error("\(user) names \(kind) \(shown(name)), which is not declared\(hint)", at: location)
    }

    static func labNamedTwice(_ name: String, at location: SourceLocation, first: Declared<String>) -> Diagnostic {
        .error(
            "the lab is named '\(first.value)' elsewhere, and \(shown(name)) here", at: location,
            notes: [.init("first named here", at: first.location)])
    }

    static func defaultsTwice(at location: SourceLocation, first: SourceLocation) -> Diagnostic {
        .error(
            "defaults are written in more than one file; keep them in one", at: location,
            notes: [.init("first written here", at: first)])
    }

    static func unsharedPool(_ pool: String, hosts: Int, at location: SourceLocation?) -> Diagnostic {
        .error(
            "pool '\(pool)' is reached by \(hosts) hosts but is not shared; say 'shared: true' if they see the same volumes, or declare one pool per host",
            at: location)
    }
}
