/// The two network-interface values that go into a vif line besides bridge, MAC and IP.
extension Syntax {
    /// The units xl's vif `rate=` accepts: bytes (`B`, `KB`, `MB`, `GB`) or bits (`b`,
    /// `Kb`, `Mb`, `Gb`), each per second.
    public static let vifRateUnits = ["GB", "MB", "KB", "B", "Gb", "Mb", "Kb", "b"]
    /// Bounds the number before the unit: far above any link, small enough that xl's
    /// bytes per second times its 50 ms interval (in µs) stays within 64 bits even in GB/s.
    public static let maximumVifRateAmount = 100_000

    /// `10Mb/s`, `100MB/s`, `512Kb/s`: a whole number from 1 up, one of `vifRateUnits`,
    /// then `/s`, exactly as xl writes the limit (no `@interval`, no spaces).
    public static func isVifRate(_ s: String) -> Bool {
        guard s.hasSuffix("/s") else { return false }
        let body = s.dropLast(2)
        let digits = body.prefix { $0.isASCII && $0.isNumber }
        guard let amount = Int(digits), (1...maximumVifRateAmount).contains(amount), digits.first != "0" else { return false }
        return vifRateUnits.contains(String(body.dropFirst(digits.count)))
    }

    /// The dom0 name of a guest's interface (xl's `vifname=`): a Linux interface name
    /// that cannot be taken for Xen's own `vifD.N` names.
    public static func isVifName(_ s: String) -> Bool {
        guard isInterfaceName(s) else { return false }
        return !(s.hasPrefix("vif") && s.dropFirst(3).first.map { $0.isASCII && $0.isNumber } == true)
    }
}
