import XenplanBasics

extension LabAssembler {
    /// Values that must be unique across the whole lab: MACs, IPs and dom0 names
    /// (`vifname`, since a domain may run on any host) of interfaces,
    /// volumes in a pool (`<domain>-<disk>` can collide: `a-b`/`c` and `a`/`b-c`), and
    /// existing devices written to by more than one domain.
    mutating func checkUniqueness() {
        var macs: [String: (domain: String, location: SourceLocation)] = [:]
        var ips: [String: (domain: String, location: SourceLocation)] = [:]
        var vifnames: [String: (domain: String, location: SourceLocation)] = [:]
        var volumes: [String: (label: String, location: SourceLocation)] = [:]
        var devices: [String: (domain: String, readOnly: Bool, location: SourceLocation)] = [:]
        let managed = managedVolumes

        // By index: a resolved domain is large, and copying each one costs more than the checks.
        for index in domains.indices {
            let domain = domains[index].spec.name
            for nic in domains[index].nics {
                if let mac = nic.mac {
                    if let first = macs[mac.value] {
                        diagnostics.append(.duplicateMAC(mac.value, domain: domain, at: mac.location, first: first))
                    } else {
                        macs[mac.value] = (domain, mac.location)
                    }
                }
                if let ip = nic.ip {
                    if let first = ips[ip.value] {
                        diagnostics.append(.duplicateIP(ip.value, domain: domain, at: ip.location, first: first))
                    } else {
                        ips[ip.value] = (domain, ip.location)
                    }
                }
                if let vifname = nic.vifname {
                    if let first = vifnames[vifname.value] {
                        let message =
                            first.domain == domain
                            ? "domain '\(domain)' names two interfaces \(vifname.value)"
                            : "vifname \(vifname.value) of domain '\(domain)' is already used; dom0 cannot have two interfaces of one name, and a domain may run on any host"
                        let note =
                            first.location == vifname.location
                            ? "both from the network of defaults, here" : "first used by domain '\(first.domain)' here"
                        diagnostics.append(.error(message, at: vifname.location, notes: [.init(note, at: first.location)]))
                    } else {
                        vifnames[vifname.value] = (domain, vifname.location)
                    }
                }
            }
            for (disk, declared) in zip(domains[index].spec.disks, domains[index].declared.disks ?? []) {
                if let pool = disk.pool, disk.path == nil, !disk.name.isEmpty {
                    let key = "\(pool)\u{0}\(disk.volumeName(domain: domain))"
                    let label = "disk '\(disk.name)' of domain '\(domain)'"
                    if let first = volumes[key], first.label != label {
                        diagnostics.append(
                            .volumeCollision(
                                disk.volumeName(domain: domain), pool: pool, label: label,
                                at: declared.name?.location ?? declared.location, first: first))
                    } else {
                        volumes[key] = (label, declared.name?.location ?? declared.location)
                    }
                }
                if let path = declared.path {
                    let device = Syntax.deviceIdentity(path.value)
                    if let owner = managed[device], owner.domain != domain {
                        diagnostics.append(.pathIsManagedVolume(path.value, domain: domain, at: path.location, owner: owner))
                    }
                    if let first = devices[device], first.domain != domain, !(first.readOnly && disk.readOnly) {
                        diagnostics.append(.sharedDevice(path.value, domain: domain, at: path.location, first: first.domain, firstAt: first.location))
                    } else if devices[device] == nil {
                        devices[device] = (domain, disk.readOnly, path.location)
                    }
                }
            }
        }
    }
}

extension LabAssembler {
    /// Every volume xenplan manages for a declared disk, by device key: the volume a
    /// `path:` disk must never reach. Computed once, after the domains are resolved.
    mutating func findManagedVolumes() {
        // Only a `path:` disk or an image can be a managed volume by mistake.
        let anyPath = domains.indices.contains { i in domains[i].spec.disks.contains { $0.path != nil } }
        guard anyPath || !images.isEmpty else { return }
        var result: [String: ManagedVolume] = [:]
        for index in domains.indices {
            let name = domains[index].spec.name
            for (disk, declared) in zip(domains[index].spec.disks, domains[index].declared.disks ?? []) where disk.path == nil {
                guard let poolName = disk.pool, let pool = pools[poolName], !disk.name.isEmpty else { continue }
                let key = Syntax.deviceIdentity(pool.devicePath(volume: disk.volumeName(domain: name)))
                if result[key] == nil { result[key] = (name, disk.name, declared.name?.location ?? declared.location) }
            }
        }
        managedVolumes = result
    }
}

extension Diagnostic {
    static func pathIsManagedVolume(
        _ path: String, domain: String, at location: SourceLocation,
        owner: LabAssembler.ManagedVolume
    ) -> Diagnostic {
        .error(
            "device \(path) of domain '\(domain)' is the volume of disk '\(owner.disk)' of domain '\(owner.domain)', which xenplan manages: one guest's disk must not be another's",
            at: location, notes: [.init("disk '\(owner.disk)' of domain '\(owner.domain)' is declared here", at: owner.location)])
    }

    static func duplicateMAC(
        _ mac: String, domain: String, at location: SourceLocation,
        first: (domain: String, location: SourceLocation)
    ) -> Diagnostic {
        .error(
            "MAC \(mac) of domain '\(domain)' is already used", at: location,
            notes: [.init("first used by domain '\(first.domain)' here", at: first.location)])
    }

    static func duplicateIP(
        _ ip: String, domain: String, at location: SourceLocation,
        first: (domain: String, location: SourceLocation)
    ) -> Diagnostic {
        .error(
            "IP \(ip) of domain '\(domain)' is already used", at: location,
            notes: [.init("first used by domain '\(first.domain)' here", at: first.location)])
    }

    static func volumeCollision(
        _ volume: String, pool: String, label: String, at location: SourceLocation,
        first: (label: String, location: SourceLocation)
    ) -> Diagnostic {
        .error(
            "volume '\(volume)' in pool '\(pool)' would hold both \(label) and \(first.label)", at: location,
            notes: [.init("\(first.label) is here", at: first.location)])
    }

    static func sharedDevice(
        _ path: String, domain: String, at location: SourceLocation, first: String,
        firstAt: SourceLocation
    ) -> Diagnostic {
        .error(
            "device \(path) is used by domain '\(domain)' and by domain '\(first)', and not read-only by both", at: location,
            notes: [.init("used by domain '\(first)' here", at: firstAt)])
    }
}
