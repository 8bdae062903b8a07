import XenplanBasics

/// The three files of the NoCloud seed, exactly as they go on the `cidata` disk, and the
/// summary of them that a domain's configuration keeps. Deterministic: the same seed
/// always gives the same bytes, so a summary made again from the manifests tells whether
/// anything a guest was told at its first boot has changed. Every value is a YAML
/// double-quoted scalar: the values were checked before, but whatever reaches here, a
/// quote or a line break never ends one early.
extension CloudInitSeed {
    /// `meta-data`: the instance id (cloud-init runs its once-per-instance steps again
    /// when it changes) and the host name.
    public var metaData: String {
        "instance-id: \(YAMLText.doubleQuoted(instanceId))\nlocal-hostname: \(YAMLText.doubleQuoted(hostname))\n"
    }

    /// `user-data`: a `#cloud-config` document with the host name, the ssh keys and the
    /// console password.
    public var userData: String {
        var lines = ["#cloud-config"]
        if let dot = hostname.firstIndex(of: ".") {
            lines.append("hostname: \(YAMLText.doubleQuoted(String(hostname[..<dot])))")
            lines.append("fqdn: \(YAMLText.doubleQuoted(hostname))")
        } else {
            lines.append("hostname: \(YAMLText.doubleQuoted(hostname))")
        }
        lines.append("preserve_hostname: false")
        // Keys only over ssh; the password, when there is one, is for the console.
        lines.append("ssh_pwauth: false")
        lines.append("# The keys are the distribution's default user's, and root's too (disable_root: false):")
        lines.append("# the administrators of these labs log in as root, as on guests made by xen-tools' ssh role.")
        lines.append("disable_root: false")
        lines.append(sshKeys.isEmpty ? "ssh_authorized_keys: []" : "ssh_authorized_keys:")
        lines += sshKeys.map { "  - \(YAMLText.doubleQuoted($0))" }
        if let passwordHash {
            // The `users` list of chpasswd: cloud-init 22.3 and later (Debian 12 has 22.4).
            lines += [
                "chpasswd:",
                "  expire: false",
                "  users:",
                "    - name: \(YAMLText.doubleQuoted("root"))",
                "      password: \(YAMLText.doubleQuoted(passwordHash))",
                "      type: \(YAMLText.doubleQuoted("hash"))",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `network-config`, version 2: one `ethN` per interface in order, matched by MAC;
    /// an interface without addresses asks DHCP.
    public var networkConfig: String {
        var lines = ["version: 2"]
        lines.append(interfaces.isEmpty ? "ethernets: {}" : "ethernets:")
        for (index, interface) in interfaces.enumerated() {
            let name = "eth\(index)"
            lines.append("  \(name):")
            lines.append("    match:")
            lines.append("      macaddress: \(YAMLText.doubleQuoted(interface.mac))")
            lines.append("    set-name: \(YAMLText.doubleQuoted(name))")
            if interface.addresses.isEmpty {
                lines.append("    dhcp4: true")
            } else {
                lines.append("    addresses:")
                lines += interface.addresses.map { "      - \(YAMLText.doubleQuoted($0))" }
            }
            if let gateway = interface.gateway {
                lines.append("    routes:")
                lines.append("      - to: \(YAMLText.doubleQuoted("0.0.0.0/0"))")
                lines.append("        via: \(YAMLText.doubleQuoted(gateway))")
            }
            if !interface.dns.isEmpty {
                lines.append("    nameservers:")
                lines.append("      addresses:")
                lines += interface.dns.map { "        - \(YAMLText.doubleQuoted($0))" }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What `DomainConfig.Seed.identity` records: enough to tell which first-boot setting
    /// changed, nothing secret (the password is `set` or `none`, never a digest of its hash).
    public var identitySummary: [String: String] {
        [
            "instance-id": instanceId,
            "hostname": hostname,
            "network": Self.digest(networkConfig),
            "ssh-keys": sshKeys.isEmpty ? "none" : Self.digest(sshKeys.joined(separator: "\n")),
            "password": passwordHash == nil ? "none" : "set",
        ]
    }

    /// Eight hex digits of the text's stable hash: enough to see a change, not to read it back.
    static func digest(_ text: String) -> String {
        StableIdentity.hexDigits(StableIdentity.hash(text), count: 8)
    }
}
