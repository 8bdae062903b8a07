import XenplanBasics

extension LabAssembler {
    /// Applies defaults to every domain, then checks what each domain refers to: host,
    /// group, pools, bridges, and its own limits (memory ≤ maxmem, vcpus ≤ maxvcpus).
    mutating func resolveDomains() {
        domains.reserveCapacity(declaredDomains.count)
        for declared in declaredDomains {
            var resolved = applyDefaults(declared)
            checkLimits(resolved)
            checkGuestType(resolved)
            checkReferences(&resolved)
            checkIdentity(resolved)
            checkSavePool(resolved)
            domains.append(resolved)
        }
        // Each resolved domain holds its declaration: the list is not needed any more, and
        // with ten thousand domains it is megabytes.
        declaredDomains = []
    }

    private func applyDefaults(_ d: DeclaredDomain) -> ResolvedDomain {
        let base = defaults
        var origin = ValueOrigins()
        func pick<T>(_ key: String, _ own: Declared<T>?, _ inherited: Declared<T>?) -> T? {
            if let own {
                origin.record(key, at: own.location, inherited: false)
                return own.value
            }
            if let inherited {
                origin.record(key, at: inherited.location, inherited: true)
                return inherited.value
            }
            return nil
        }
        let memory = pick("memory", d.memory, base?.memory) ?? .mib(256)
        let maxmem = pick("maxmem", d.maxmem, base?.maxmem) ?? memory
        let vcpus = pick("vcpus", d.vcpus, base?.vcpus) ?? 1
        let maxvcpus = pick("maxvcpus", d.maxvcpus, base?.maxvcpus) ?? vcpus
        let network = pick("network", d.network, base?.network) ?? []
        let type = pick("type", d.type, base?.type) ?? .pv
        let identity = IdentitySpec(
            seed: pick("seed", d.seed, base?.seed) ?? (d.disks ?? []).contains { $0.image != nil },
            hostname: d.hostname?.value ?? d.name,
            sshKeys: d.sshKeys.map { Self.withoutDuplicateKeys(labSSHKeys + $0.value) } ?? labSSHKeys,
            passwordHash: pick("passwordHash", d.passwordHash, base?.passwordHash),
            changes: pick("identityChanges", d.identityChanges, base?.identityChanges) ?? .firstBoot)
        let spec = DomainSpec(
            name: d.name, host: d.host?.value, group: d.group?.value, memory: memory, maxmem: maxmem,
            vcpus: vcpus, maxvcpus: maxvcpus,
            cpuWeight: pick("cpu.weight", d.cpuWeight, base?.cpuWeight) ?? DomainSpec.defaultCpuWeight,
            cpuCap: pick("cpu.cap", d.cpuCap, base?.cpuCap) ?? 0,
            type: type,
            // The defaults' boot is for pv and pvh guests; an hvm guest boots from its firmware.
            boot: (type == .hvm ? d.boot?.value : pick("boot", d.boot, base?.boot)) ?? .pygrub,
            hvm: type == .hvm ? Self.hvmSpec(d) : nil,
            disks: [],
            network: network.map {
                NicSpec(
                    bridge: $0.bridge?.value ?? "", ip: $0.ip?.value, mac: $0.mac?.value, prefix: $0.prefix?.value,
                    gateway: $0.gateway?.value, dns: $0.dns?.value ?? [], rate: $0.rate?.value, vifname: $0.vifname?.value,
                    location: $0.location)
            },
            restart: pick("restart", d.restart, base?.restart) ?? .never,
            protect: d.protect?.value ?? false,
            state: pick("state", d.state, base?.state) ?? .running,
            shutdownTimeout: pick("shutdownTimeout", d.shutdownTimeout, base?.shutdownTimeout) ?? DomainSpec.defaultShutdownTimeout,
            identity: identity, locations: KeyLocations(object: d.location, keys: d.keys),
            savePool: pick("saves", d.saves, base?.saves))
        return ResolvedDomain(spec: spec, declared: d, origin: origin, nics: network)
    }

    /// A note saying that a value came from `defaults`, so the user knows where to look.
    func defaultsNote(_ key: String, _ d: ResolvedDomain) -> [Diagnostic.Note] {
        guard d.origin.isInherited(key) else { return [] }
        return [.init("\(key) comes from defaults here", at: d.origin[key])]
    }

    /// Where to point for a conflict between two keys: the first one written on the
    /// domain itself (the user edits the domain, not the defaults), else the defaults.
    private func ownLocation(_ d: ResolvedDomain, _ keys: String...) -> SourceLocation? {
        for key in keys where !d.origin.isInherited(key) {
            if let location = d.origin[key] { return location }
        }
        return keys.lazy.compactMap { d.origin[$0] }.first ?? d.spec.locations.object
    }

    private mutating func checkLimits(_ d: ResolvedDomain) {
        let s = d.spec
        let what = "domain '\(s.name)'"
        if s.memory > s.maxmem {
            diagnostics.append(
                .memoryOverMaxmem(
                    domain: s.name, memory: s.memory, maxmem: s.maxmem, at: ownLocation(d, "memory", "maxmem"),
                    notes: defaultsNote("memory", d) + defaultsNote("maxmem", d)))
        }
        if s.vcpus > s.maxvcpus {
            diagnostics.append(
                .vcpusOverMaxvcpus(
                    domain: s.name, vcpus: s.vcpus, maxvcpus: s.maxvcpus, at: ownLocation(d, "vcpus", "maxvcpus"),
                    notes: defaultsNote("vcpus", d) + defaultsNote("maxvcpus", d)))
        }
        if s.cpuCap > 100 * s.maxvcpus {
            diagnostics.append(
                .error(
                    "cpu cap \(s.cpuCap) of \(what) is more than 100 × maxvcpus (\(100 * s.maxvcpus)), which Xen refuses",
                    at: d.origin["cpu.cap"] ?? s.locations.object, notes: defaultsNote("cpu.cap", d)))
        }
    }

    private mutating func checkReferences(_ d: inout ResolvedDomain) {
        let name = d.spec.name
        let what = "domain '\(name)'"
        var host: HostSpec?
        if let declared = d.declared.host {
            host = hosts[declared.value]
            if host == nil {
                diagnostics.append(.undeclared("host", declared.value, by: what, candidates: Array(hosts.keys), at: declared.location))
            }
        }
        if let group = d.declared.group, groups[group.value] == nil {
            diagnostics.append(.undeclared("group", group.value, by: what, candidates: Array(groups.keys), at: group.location))
        }
        d.spec.disks = resolveDisks(d, host: host)
        if d.spec.hvm != nil {
            let cdrom = resolveCdrom(d, host: host)
            d.spec.hvm?.cdrom = cdrom
        }
        checkBridges(d, host: host)
    }

    private mutating func resolveDisks(_ d: ResolvedDomain, host: HostSpec?) -> [DiskSpec] {
        let domain = d.spec.name
        let hvm = d.spec.type == .hvm
        var names: [String: SourceLocation] = [:]
        var vdevs: [String: SourceLocation] = [:]
        var result: [DiskSpec] = []
        for disk in d.declared.disks ?? [] {
            let label = disk.name.map { "disk '\($0.value)' of domain '\(domain)'" } ?? "a disk of domain '\(domain)'"
            if let name = disk.name {
                if let first = names[name.value] {
                    diagnostics.append(
                        .error(
                            "domain '\(domain)' has two disks named '\(name.value)'", at: name.location,
                            notes: [.init("first one here", at: first)]))
                } else {
                    names[name.value] = name.location
                }
            }
            if let vdev = disk.vdev {
                if !Syntax.isVdev(vdev.value, hvm: hvm) {
                    diagnostics.append(.badVdev(vdev.value, of: label, hvm: hvm, at: vdev.location))
                } else if let first = vdevs[vdev.value] {
                    diagnostics.append(
                        .error(
                            "domain '\(domain)' uses vdev \(vdev.value) twice", at: vdev.location,
                            notes: [.init("first used here", at: first)]))
                } else {
                    vdevs[vdev.value] = vdev.location
                }
            }
            var pool = disk.pool?.value
            if let declared = disk.pool {
                if let spec = pools[declared.value] {
                    if let host, !spec.hosts.contains(host.name) {
                        diagnostics.append(
                            .poolUnreachable(
                                domain: domain, pool: spec.name, host: host.name, at: declared.location,
                                poolAt: spec.locations.object))
                    }
                } else {
                    diagnostics.append(.undeclared("pool", declared.value, by: label, candidates: Array(pools.keys), at: declared.location))
                }
            } else if disk.path == nil {
                pool = defaultPool(for: host, label: label, at: disk.location)
            }
            if let image = disk.image, disk.path == nil {
                checkDiskImage(image, of: label, host: host, hostAt: d.declared.host?.location, pool: pool)
            }
            result.append(
                DiskSpec(
                    name: disk.name?.value ?? "", size: disk.size?.value, vdev: disk.vdev?.value ?? "",
                    pool: pool, path: disk.path?.value, readOnly: disk.readOnly, image: disk.image?.value,
                    location: disk.location))
        }
        return result
    }

    /// The first pool (name order) the host reaches; without a host, the first pool
    /// every host reaches, so that the domain can be placed anywhere.
    private mutating func defaultPool(for host: HostSpec?, label: String, at location: SourceLocation) -> String? {
        if let host {
            if let pool = defaultPoolByHost[host.name] { return pool }
            diagnostics.append(
                .error(
                    "\(label) has no pool, and host '\(host.name)' reaches none; declare one under storage",
                    at: location))
            return nil
        }
        if let pool = defaultPoolForAllHosts { return pool }
        diagnostics.append(
            .error(
                "\(label) has no pool, and its domain has no host: only a pool that every host reaches would do, and there is none; name a pool or a host",
                at: location))
        return nil
    }

    private mutating func checkBridges(_ d: ResolvedDomain, host: HostSpec?) {
        let domain = d.spec.name
        for nic in d.nics {
            guard let bridge = nic.bridge else { continue }
            let note = d.origin.isInherited("network") ? [Diagnostic.Note("network comes from defaults here", at: d.origin["network"])] : []
            if let host {
                if !host.bridges.contains(where: { $0.name == bridge.value }) {
                    diagnostics.append(.bridgeMissing(domain: domain, bridge: bridge.value, host: host.name, at: bridge.location, notes: note))
                }
            } else if d.declared.host == nil {
                let lacking = hosts.values.map(\.name).sorted().filter { name in !hosts[name]!.bridges.contains { $0.name == bridge.value } }
                if !lacking.isEmpty {
                    let list = lacking.map { "'\($0)'" }.joined(separator: ", ")
                    diagnostics.append(
                        .error(
                            "domain '\(domain)' has no host, so bridge '\(bridge.value)' must be declared on every host; \(list) \(lacking.count == 1 ? "lacks" : "lack") it",
                            at: bridge.location, notes: note))
                }
            }
        }
    }
}

extension Diagnostic {
    static func badVdev(_ vdev: String, of label: String, hvm: Bool, at location: SourceLocation) -> Diagnostic {
        let allowed =
            hvm
            ? "xvdX, sdX or hdX (a letter, then optional partition digits)"
            : "xvdX (xvd, letters, then optional partition digits; sdX and hdX are for hvm guests only)"
        return .error("vdev \(shown(vdev)) of \(label) is not a virtual device name: use \(allowed)", at: location)
    }

    static func memoryOverMaxmem(
        domain: String, memory: ByteSize, maxmem: ByteSize, at location: SourceLocation?,
        notes: [Note]
    ) -> Diagnostic {
        .error("memory \(memory) of domain '\(domain)' is more than its maxmem \(maxmem)", at: location, notes: notes)
    }

    static func vcpusOverMaxvcpus(
        domain: String, vcpus: Int, maxvcpus: Int, at location: SourceLocation?,
        notes: [Note]
    ) -> Diagnostic {
        .error("vcpus \(vcpus) of domain '\(domain)' is more than its maxvcpus \(maxvcpus)", at: location, notes: notes)
    }

    static func poolUnreachable(
        domain: String, pool: String, host: String, at location: SourceLocation,
        poolAt: SourceLocation?
    ) -> Diagnostic {
        .error(
            "domain '\(domain)' needs pool '\(pool)', which host '\(host)' cannot reach", at: location,
            notes: [.init("pool '\(pool)' is declared here", at: poolAt)])
    }

    static func bridgeMissing(
        domain: String, bridge: String, host: String, at location: SourceLocation,
        notes: [Note]
    ) -> Diagnostic {
        .error("domain '\(domain)' needs bridge '\(bridge)', which host '\(host)' does not declare", at: location, notes: notes)
    }
}
