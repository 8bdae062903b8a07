import XenplanBasics

/// The rules a seed meets before any of it is written on a host: every value ends up in a
/// file cloud-init reads as root inside the guest (a key in `authorized_keys`, an address
/// in the network configuration), so a line break or a stray character could add a key
/// or a setting nobody declared. Both the local driver and the agent check them.
extension CloudInitSeed {
    /// At most this many of each: far more than a guest has, few enough to bound a request.
    public static let maxInterfaces = 64
    public static let maxAddresses = 16
    public static let maxNameServers = 8
    public static let maxSshKeys = 128

    /// The first value that breaks a rule: its field (`interfaces[0].mac`) and why; nil
    /// when the seed can be written.
    public var firstProblem: (field: String, message: String)? {
        if !Syntax.isName(domain) { return ("domain", "\(shownValue(domain)) is not a domain name ([a-z0-9][a-z0-9.-]{0,62})") }
        if !Self.isInstanceId(instanceId) {
            return (
                "instanceId", "\(shownValue(instanceId)) is not an instance id (1 to 128 of A-Z, a-z, 0-9, '.', '_', ':', '-', not starting with '-')"
            )
        }
        if !Syntax.isGuestHostName(hostname) {
            return (
                "hostname", "\(shownValue(hostname)) is not a host name (labels of 1 to 63 of a-z, A-Z, 0-9, '-', joined by '.', at most 253 bytes)"
            )
        }
        if interfaces.count > Self.maxInterfaces { return ("interfaces", "at most \(Self.maxInterfaces) interfaces") }
        for (i, interface) in interfaces.enumerated() {
            if let (field, message) = Self.problem(interface) { return ("interfaces[\(i)].\(field)", message) }
        }
        if sshKeys.count > Self.maxSshKeys { return ("sshKeys", "at most \(Self.maxSshKeys) keys") }
        for (i, key) in sshKeys.enumerated() {
            if let problem = Syntax.sshKeyProblem(key) { return ("sshKeys[\(i)]", "\(shownValue(key)) is refused: \(problem)") }
        }
        if let passwordHash, !Syntax.isPasswordHash(passwordHash) {
            return ("passwordHash", "not a crypt(3) hash ('$' then at most 511 of A-Z, a-z, 0-9, '.', '/', '$', '=', ',', '+', '-')")
        }
        return nil
    }

    /// The first problem of a configuration's seed disk: it is the domain's own seed file
    /// and no declared disk's device, and its summary holds only words a comment line of the
    /// configuration file can carry (`key=value`, no space, quote or `=` in either).
    public static func problem(of seed: DomainConfig.Seed, in config: DomainConfig) -> (field: String, message: String)? {
        if !Syntax.isVdev(seed.vdev, hvm: true) { return ("vdev", "\(shownValue(seed.vdev)) is not a virtual device name like xvdz") }
        if config.disks.contains(where: { $0.vdev == seed.vdev }) { return ("vdev", "\(seed.vdev) is also a declared disk's") }
        let path = path(domain: config.name)
        if seed.target != path { return ("target", "\(shownValue(seed.target)) is not \(path)") }
        if !(1...16).contains(seed.identity.count) { return ("identity", "1 to 16 entries, not \(seed.identity.count)") }
        for (key, value) in seed.identity.sorted(by: { $0.key < $1.key }) where !isSummaryKey(key) || !isSummaryValue(value) {
            return (
                "identity",
                "\(shownValue(key)): \(shownValue(value)) is not a word of 1 to 253 of A-Z, a-z, 0-9, '.', '_', ':', '@', '+', '-' under a key of 1 to 32 of a-z, 0-9, '-'"
            )
        }
        return nil
    }

    public static func isSummaryKey(_ s: String) -> Bool {
        (1...32).contains(s.utf8.count) && s.utf8.allSatisfy { Syntax.isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    public static func isSummaryValue(_ s: String) -> Bool {
        (1...253).contains(s.utf8.count) && s.utf8.allSatisfy { Syntax.isAlnum($0) || "._:@+-".utf8.contains($0) }
    }

    static func problem(_ interface: Interface) -> (field: String, message: String)? {
        guard let mac = Syntax.normalisedMAC(interface.mac), mac == interface.mac, !Syntax.isMulticastMAC(mac) else {
            return ("mac", "\(shownValue(interface.mac)) is not a lower-case unicast MAC address (xx:xx:xx:xx:xx:xx)")
        }
        if interface.addresses.count > maxAddresses { return ("addresses", "at most \(maxAddresses) addresses") }
        for (i, address) in interface.addresses.enumerated() where !isCIDR(address) {
            return ("addresses[\(i)]", "\(shownValue(address)) is not an IPv4 address with its prefix length (192.0.2.10/24)")
        }
        if let gateway = interface.gateway, !Syntax.isIPv4(gateway) {
            return ("gateway", "\(shownValue(gateway)) is not an IPv4 address")
        }
        if interface.dns.count > maxNameServers { return ("dns", "at most \(maxNameServers) name servers") }
        for (i, server) in interface.dns.enumerated() where !Syntax.isIPv4(server) {
            return ("dns[\(i)]", "\(shownValue(server)) is not an IPv4 address")
        }
        return nil
    }

    /// `192.0.2.10/24`: a dotted quad and a prefix length 1–32 without leading zeros.
    static func isCIDR(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, Syntax.isIPv4(String(parts[0])) else { return false }
        let prefix = parts[1]
        guard (1...2).contains(prefix.utf8.count), prefix.utf8.allSatisfy(Syntax.isDigit), prefix.first != "0" else { return false }
        return Int(prefix)! <= 32
    }

    static func isInstanceId(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard (1...128).contains(bytes.count), bytes[0] != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { Syntax.isAlnum($0) || "._:-".utf8.contains($0) }
    }
}
