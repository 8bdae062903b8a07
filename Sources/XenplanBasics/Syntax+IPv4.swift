/// IPv4 arithmetic for what a guest is told about its network: prefix lengths, netmasks,
/// and whether a gateway lies in the address's network.
extension Syntax {
    /// The address as a number, or nil when `isIPv4` refuses it.
    public static func ipv4Value(_ s: String) -> UInt32? {
        guard isIPv4(s) else { return nil }
        return s.split(separator: ".").reduce(UInt32(0)) { $0 << 8 | UInt32($1)! }
    }

    public static func ipv4Text(_ value: UInt32) -> String {
        [24, 16, 8, 0].map { String(value >> UInt32($0) & 0xff) }.joined(separator: ".")
    }

    /// `255.255.255.0` → 24; nil for a mask whose ones are not contiguous.
    public static func prefixLength(netmask: String) -> Int? {
        guard let mask = ipv4Value(netmask) else { return nil }
        let ones = mask.leadingZeroBitCount == 0 ? (~mask).leadingZeroBitCount : 0
        return networkMask(prefix: ones) == mask ? ones : nil
    }

    public static func networkMask(prefix: Int) -> UInt32 {
        prefix <= 0 ? 0 : UInt32.max << UInt32(32 - min(prefix, 32))
    }

    /// `192.0.2.10`, 24 → `192.0.2.0/24`.
    public static func ipv4Network(_ address: String, prefix: Int) -> String? {
        guard let value = ipv4Value(address) else { return nil }
        return ipv4Text(value & networkMask(prefix: prefix)) + "/\(prefix)"
    }
}
