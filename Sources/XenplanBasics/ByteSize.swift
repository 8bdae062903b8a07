/// An amount of memory or storage, held in KiB: Xen reports memory in KiB and pages of
/// 4 KiB, so KiB is the smallest unit that never loses anything.
public struct ByteSize: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var kib: Int64

    public init(kib: Int64) { self.kib = kib }
    public static func mib(_ n: Int64) -> ByteSize { ByteSize(kib: n) * 1024 }
    public static func gib(_ n: Int64) -> ByteSize { ByteSize(kib: n) * (1024 * 1024) }
    public static let zero = ByteSize(kib: 0)

    /// Whole MiB, rounded down.
    public var mib: Int64 { kib / 1024 }

    // The arithmetic saturates at Int64's limits instead of trapping: sizes also come
    // from hosts and state files, and a forged `{"kib": 9223372036854775807}` must end
    // in an error message, never in a crash. Values that passed the range checks
    // (`maximum`, HostStateLimits) are far from the limits, so there the result is exact.
    public static func < (a: ByteSize, b: ByteSize) -> Bool { a.kib < b.kib }
    public static func + (a: ByteSize, b: ByteSize) -> ByteSize {
        ByteSize(kib: saturating(a.kib.addingReportingOverflow(b.kib), a.kib < 0 && b.kib < 0))
    }
    public static func - (a: ByteSize, b: ByteSize) -> ByteSize { ByteSize(kib: saturating(a.kib.subtractingReportingOverflow(b.kib), a.kib < 0)) }
    public static func * (a: ByteSize, n: Int64) -> ByteSize {
        ByteSize(kib: saturating(a.kib.multipliedReportingOverflow(by: n), (a.kib < 0) != (n < 0)))
    }
    public static func += (a: inout ByteSize, b: ByteSize) { a = a + b }
    public static func -= (a: inout ByteSize, b: ByteSize) { a = a - b }

    /// The exact result, or the limit on the side it overflowed to.
    private static func saturating(_ result: (partialValue: Int64, overflow: Bool), _ negative: Bool) -> Int64 {
        result.overflow ? (negative ? .min : .max) : result.partialValue
    }

    /// Whether the size lies in 0…`maximum`: what every size read from outside must satisfy.
    public var isWithinMaximum: Bool { kib >= 0 && kib <= ByteSize.maximum.kib }

    /// Largest size a manifest may state: 1 PiB. Anything above is a typo, and keeping
    /// sums of many sizes far from Int64's limit means no arithmetic can overflow.
    public static let maximum = ByteSize(kib: 1 << 40)

    public enum ParseError: Error, Equatable, Sendable {
        case empty
        case notASize(String)
        case tooLarge(String)
    }

    /// Parses `512`, `512M`, `5G`, `1.5G`, `64K`, `2T` (binary units; a bare number is MiB).
    /// An optional `iB`/`B` suffix is accepted (`512MiB`, `5GB`), since people write both.
    public static func parse(_ text: String) throws(ParseError) -> ByteSize {
        var s = Substring(text)
        guard !s.isEmpty else { throw .empty }
        for suffix in ["iB", "B"] where s.hasSuffix(suffix) && s.count > suffix.count {
            s = s.dropLast(suffix.count)
            break
        }
        let unitKiB: Int64
        switch s.last {
        case "K", "k": unitKiB = 1; s = s.dropLast()
        case "M", "m": unitKiB = 1024; s = s.dropLast()
        case "G", "g": unitKiB = 1024 * 1024; s = s.dropLast()
        case "T", "t": unitKiB = 1024 * 1024 * 1024; s = s.dropLast()
        default: unitKiB = 1024
        }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let wholePart = parts.first, !wholePart.isEmpty, wholePart.allSatisfy(\.isASCIIDigit),
            parts.count == 1 || (!parts[1].isEmpty && parts[1].allSatisfy(\.isASCIIDigit))
        else { throw .notASize(text) }
        // Too many digits cannot be a sane size, and would overflow while parsing.
        guard wholePart.count <= 16 else { throw .tooLarge(text) }
        let whole = Int64(wholePart)!
        var (total, overflow) = whole.multipliedReportingOverflow(by: unitKiB)
        if overflow { throw .tooLarge(text) }
        if parts.count == 2 {
            let digits = parts[1].prefix(6)
            var scale: Int64 = 1
            for _ in digits { scale *= 10 }
            let frac = Int64(digits)!
            let (fracKiB, o2) = frac.multipliedReportingOverflow(by: unitKiB)
            if o2 { throw .tooLarge(text) }
            (total, overflow) = total.addingReportingOverflow(fracKiB / scale)
            if overflow { throw .tooLarge(text) }
        }
        guard total <= ByteSize.maximum.kib else { throw .tooLarge(text) }
        return ByteSize(kib: total)
    }

    /// `512 MiB`, `1 GiB`, `1.5 GiB`, `64 KiB`: the unit that keeps the number readable.
    public var description: String {
        let units: [(UInt64, String)] = [(1 << 40, "PiB"), (1 << 30, "TiB"), (1 << 20, "GiB"), (1 << 10, "MiB")]
        // On the magnitude as UInt64, so that neither Int64.min nor the rounding overflows.
        let magnitude = kib.magnitude
        let sign = kib < 0 ? "-" : ""
        for (size, name) in units where magnitude >= size {
            if magnitude % size == 0 { return "\(sign)\(magnitude / size) \(name)" }
            let (whole, rest) = magnitude.quotientAndRemainder(dividingBy: size)
            var tenths = (rest * 10 + size / 2) / size
            var units = whole
            if tenths == 10 { units += 1; tenths = 0 }
            return "\(sign)\(units).\(tenths) \(name)"
        }
        return kib == 0 ? "0 MiB" : "\(kib) KiB"
    }
}
