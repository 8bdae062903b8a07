import XenplanBasics

/// The three files of the NoCloud seed, exactly as they go on the `cidata` disk, and the
/// summary of them that a domain's configuration keeps. Deterministic: the same seed
/// always gives the same bytes, so a summary made again from the manifests tells whether
/// anything a guest was told at its first boot has changed.
extension CloudInitSeed {
    /// `meta-data`: the instance id (cloud-init runs its once-per-instance steps again
    /// when it changes) and the host name.
    public var metaData: String {
        "instance-id: \(Self.quoted(instanceId))\nlocal-hostname: \(Self.quoted(hostname))\n"
    }

    /// `user-data`: a `#cloud-config` document with the host name, the ssh keys and the
    /// console password.
    public var userData: String {
        var lines = ["#cloud-config"]
        if let dot = hostname.firstIndex(of: ".") {
            lines.append("hostname: \(Self.quoted(String(hostname[..<dot])))")
            lines.append("fqdn: \(Self.quoted(hostname))")
        } else {
            lines.append("hostname: \(Self.quoted(hostname))")
        }
        lines.append("preserve_hostname: false")
        // Keys only over ssh; the password, when there is one, is for the console.
        lines.append("ssh_pwauth: false")
        lines.append("# The keys are the distribution's default user's, and root's too (disable_root: false):")
        lines.append("# the administrators of these labs log in as root, as on guests made by xen-tools' ssh role.")
        lines.append("disable_root: false")
        lines.append(sshKeys.isEmpty ? "ssh_authorized_keys: []" : "ssh_authorized_keys:")
        lines += sshKeys.map { "  - \(Self.quoted($0))" }
        if let passwordHash {
            // The `users` list of chpasswd: cloud-init 22.3 and later (Debian 12 has 22.4).
            lines += [
                "chpasswd:",
                "  expire: false",
                "  users:",
                "    - name: \(Self.quoted("root"))",
                "      password: \(Self.quoted(passwordHash))",
                "      type: \(Self.quoted("hash"))",
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
            lines.append("      macaddress: \(Self.quoted(interface.mac))")
            lines.append("    set-name: \(Self.quoted(name))")
            if interface.addresses.isEmpty {
                lines.append("    dhcp4: true")
            } else {
                lines.append("    addresses:")
                lines += interface.addresses.map { "      - \(Self.quoted($0))" }
            }
            if let gateway = interface.gateway {
                lines.append("    routes:")
                lines.append("      - to: \(Self.quoted("0.0.0.0/0"))")
                lines.append("        via: \(Self.quoted(gateway))")
            }
            if !interface.dns.isEmpty {
                lines.append("    nameservers:")
                lines.append("      addresses:")
                lines += interface.dns.map { "        - \(Self.quoted($0))" }
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

    /// A YAML double-quoted scalar. The values were checked before (names, addresses,
    /// keys), but a quote, a backslash or a line break must never end the scalar early,
    /// whatever reaches here.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || [0x2028, 0x2029, 0xFEFF].contains(scalar.value) {
                    out += "\\u" + StableIdentity.hexDigits(UInt64(scalar.value), count: 4)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
