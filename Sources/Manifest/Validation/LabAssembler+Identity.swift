import XenplanBasics

/// First-boot identity: the lab-wide ssh keys, and what only makes sense on a domain
/// that gets a seed (or makes no sense on one that does not).
extension LabAssembler {
    /// The `sshKeys` of every file, in file order, each key once.
    mutating func mergeLabSSHKeys() {
        labSSHKeys = Self.withoutDuplicateKeys(declaredSSHKeys.flatMap(\.value))
        if labSSHKeys.count > Syntax.maximumSSHKeys, let last = declaredSSHKeys.last {
            diagnostics.append(
                .error(
                    "the lab's sshKeys hold \(labSSHKeys.count) different keys across its files; at most \(Syntax.maximumSSHKeys) are accepted",
                    at: last.location))
        }
    }

    /// Keys in the order given, a key written again (whatever its comment) left out.
    static func withoutDuplicateKeys(_ keys: [String]) -> [String] {
        var seen: Set<Substring> = []
        return keys.filter { seen.insert(Syntax.sshKeyMaterial($0)).inserted }
    }

    mutating func checkIdentity(_ d: ResolvedDomain) {
        if d.spec.identity.seed {
            checkSeeded(d)
        } else {
            warnUnusedIdentity(d)
        }
    }

    private mutating func checkSeeded(_ d: ResolvedDomain) {
        let s = d.spec
        let what = "domain '\(s.name)'"
        if d.declared.hostname == nil && !Syntax.isGuestHostName(s.name) {
            diagnostics.append(
                .error(
                    "\(what) gets a first-boot seed, whose hostname is the domain's name, but '\(s.name)' is not a valid hostname; write hostname",
                    at: s.locations.object))
        }
        if s.identity.sshKeys.count > Syntax.maximumSSHKeys {
            diagnostics.append(
                .error(
                    "\(what) would accept \(s.identity.sshKeys.count) ssh keys with the lab's; at most \(Syntax.maximumSSHKeys) are accepted",
                    at: d.declared.sshKeys?.location ?? s.locations.object))
        }
        for disk in d.declared.disks ?? [] {
            guard let vdev = disk.vdev, Self.isSeedDisk(vdev.value) else { continue }
            let name = disk.name.map { "disk '\($0.value)'" } ?? "a disk"
            diagnostics.append(
                .error(
                    "\(name) of \(what) uses vdev \(vdev.value), but \(IdentitySpec.seedVdev) is where the first-boot seed is attached; use another vdev",
                    at: vdev.location))
        }
        for (index, nic) in d.nics.enumerated() {
            // A prefix or netmask that was written but refused has its own error.
            guard let ip = nic.ip, nic.prefix == nil, !nic.firstBootKeys.contains(where: { $0 == "prefix" || $0 == "netmask" })
            else { continue }
            diagnostics.append(
                .error(
                    "interface \(index + 1) of \(what) has ip but no prefix; the first-boot seed configures the address with it: write prefix (such as 24) or netmask",
                    at: ip.location, notes: defaultsNote("network", d)))
        }
    }

    /// `xvdz` and its partitions (`xvdz1`) are the seed's device.
    static func isSeedDisk(_ vdev: String) -> Bool {
        vdev.hasPrefix(IdentitySpec.seedVdev) && vdev.dropFirst(IdentitySpec.seedVdev.count).allSatisfy(\.isASCIIDigit)
    }

    /// Keys written on the domain itself that only a seed carries; those in `defaults`
    /// are meant for the domains that have one.
    private mutating func warnUnusedIdentity(_ d: ResolvedDomain) {
        let declared = d.declared
        var written: [(key: String, location: SourceLocation)] = []
        for key in ["hostname", "sshKeys", "passwordHash", "identityChanges"] {
            if let location = declared.keys[key] { written.append((key, location)) }
        }
        if let network = declared.network {
            for (index, nic) in network.value.enumerated() {
                for key in nic.firstBootKeys {
                    written.append(("\(key) of interface \(index + 1)", nic.location))
                }
            }
        }
        guard let first = written.first else { return }
        let why =
            d.origin["seed"] != nil
            ? "has seed: false"
            : "gets no first-boot seed (none of its disks is filled from an image; write seed: true if its system runs cloud-init)"
        diagnostics.append(
            .warning(
                "domain '\(d.spec.name)' \(why), so these keys have no effect: \(written.map(\.key).joined(separator: ", "))",
                at: first.location, notes: defaultsNote("seed", d)))
    }
}
