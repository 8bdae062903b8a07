import XenplanBasics
import XenplanYAML

/// A domain's network interfaces: the bridge, address and MAC xl is given, and the
/// addressing the first-boot seed gives the guest.
extension ManifestDecoder {
    static let nicKeys = ["bridge", "ip", "mac", "rate", "vifname", "prefix", "netmask", "gateway", "dns"]
    static let nicRequiredKeys = ["bridge"]
    /// What the seed gives an interface besides its address: each needs `ip`.
    static let nicFirstBootKeys = ["prefix", "netmask", "gateway", "dns"]
    static let prefixRange = 0...32
    /// Name servers an interface may list: more than resolv.conf reads, fewer than any abuse needs.
    static let maximumNameServers = 8

    func decodeNic(_ node: Node, index: Int, of what: String) -> DeclaredNic? {
        let at = reader.location(node)
        let label = "interface \(index + 1) of \(what)"
        guard let fields = reader.object(node, label, keys: Self.nicKeys, required: Self.nicRequiredKeys, at: at) else { return nil }
        var nic = DeclaredNic(location: at)
        nic.bridge = fields["bridge"].flatMap { reader.name($0.value, for: "bridge of \(label)") }
        if let entry = fields["ip"], let ip = reader.text(entry.value, for: "ip of \(label)", expected: "an IPv4 address") {
            if Syntax.isIPv4(ip.value) {
                nic.ip = ip
            } else {
                reader.report(.error("ip \(shown(ip.value)) of \(label) is not an IPv4 address like 192.0.2.10", at: ip.location))
            }
        }
        if let entry = fields["mac"], let mac = reader.text(entry.value, for: "mac of \(label)", expected: "a MAC address") {
            if let normalised = Syntax.normalisedMAC(mac.value) {
                if Syntax.isMulticastMAC(normalised) {
                    reader.report(
                        .error(
                            "MAC \(normalised) of \(label) is a multicast address (odd first octet); use a unicast one such as 00:16:3e:…",
                            at: mac.location))
                } else {
                    nic.mac = Declared(value: normalised, location: mac.location)
                }
            } else {
                reader.report(.error("mac \(shown(mac.value)) of \(label) is not a MAC address like 00:16:3e:12:34:56", at: mac.location))
            }
        }
        if let entry = fields["rate"], let rate = reader.text(entry.value, for: "rate of \(label)", expected: "a rate like 10Mb/s") {
            if Syntax.isVifRate(rate.value) {
                nic.rate = rate
            } else {
                reader.report(
                    .error(
                        "rate \(shown(rate.value)) of \(label) is not a rate like 10Mb/s or 5MB/s: a whole number from 1 to \(Syntax.maximumVifRateAmount), then b, Kb, Mb or Gb (bits) or B, KB, MB or GB (bytes), then /s",
                        at: rate.location))
            }
        }
        if let entry = fields["vifname"], let name = reader.text(entry.value, for: "vifname of \(label)", expected: "an interface name") {
            if Syntax.isVifName(name.value) {
                nic.vifname = name
            } else {
                reader.report(
                    .error(
                        "vifname \(shown(name.value)) of \(label) is not an interface name: 1 to 15 of A-Z, a-z, 0-9, '.', '_', '-', starting with a letter or digit, and not vif followed by a digit (Xen's own names)",
                        at: name.location))
            }
        }
        decodeAddressing(fields, into: &nic, label: label)
        return nic
    }

    /// `prefix` or `netmask`, `gateway` and `dns`: what the seed configures the
    /// interface with, all meaningless without `ip`.
    private func decodeAddressing(_ fields: [String: NodeReader.Entry], into nic: inout DeclaredNic, label: String) {
        nic.firstBootKeys = Self.nicFirstBootKeys.filter { fields[$0] != nil }
        if fields["ip"] == nil {
            for key in nic.firstBootKeys {
                reader.report(
                    .error(
                        "\(key) of \(label) needs ip: without an address of its own the interface is configured by DHCP",
                        at: fields[key]!.keyLocation))
            }
        }
        nic.prefix = fields["prefix"].flatMap { reader.int($0.value, for: "prefix of \(label)", in: Self.prefixRange) }
        if let entry = fields["netmask"] {
            if fields["prefix"] != nil {
                reader.report(.error("\(label) has both prefix and netmask; write one of them", at: entry.keyLocation))
            } else if let mask = reader.text(entry.value, for: "netmask of \(label)", expected: "a netmask like 255.255.255.0") {
                if let prefix = Syntax.prefixLength(netmask: mask.value) {
                    nic.prefix = Declared(value: prefix, location: mask.location)
                } else {
                    reader.report(
                        .error(
                            "netmask \(shown(mask.value)) of \(label) is not a netmask like 255.255.255.0 (ones, then zeros)",
                            at: mask.location))
                }
            }
        }
        if let entry = fields["gateway"], let gateway = reader.text(entry.value, for: "gateway of \(label)", expected: "an IPv4 address") {
            if Syntax.isIPv4(gateway.value) {
                nic.gateway = gateway
            } else {
                reader.report(.error("gateway \(shown(gateway.value)) of \(label) is not an IPv4 address like 192.0.2.1", at: gateway.location))
            }
        }
        if let entry = fields["dns"], let items = reader.list(entry.value, for: "dns of \(label)") {
            if items.count > Self.maximumNameServers {
                reader.report(
                    .error(
                        "dns of \(label) lists \(items.count) servers; at most \(Self.maximumNameServers) are accepted",
                        at: reader.location(entry.value)))
            } else {
                let servers = items.compactMap { item -> String? in
                    guard let server = reader.text(item, for: "a dns server of \(label)", expected: "an IPv4 address") else { return nil }
                    guard Syntax.isIPv4(server.value) else {
                        reader.report(
                            .error(
                                "dns server \(shown(server.value)) of \(label) is not an IPv4 address like 192.0.2.53",
                                at: server.location))
                        return nil
                    }
                    return server.value
                }
                nic.dns = Declared(value: servers, location: reader.location(entry.value))
            }
        }
        if let ip = nic.ip, let prefix = nic.prefix, let gateway = nic.gateway,
            let network = Syntax.ipv4Network(ip.value, prefix: prefix.value),
            Syntax.ipv4Network(gateway.value, prefix: prefix.value) != network
        {
            reader.report(
                .warning(
                    "gateway \(gateway.value) of \(label) is outside \(network), the network of its ip; the guest may not reach it",
                    at: gateway.location))
        }
    }
}
