import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A moment as UTC calendar fields, for the fixed, locale-free spellings xenplan writes
/// (run ids, backup names, lock and journal times). Foundation's date formatters would do,
/// but they bring ICU, which is not linked into xenplan.
public struct UTCTime: Sendable, Equatable {
    public var year, month, day, hour, minute, second, millisecond: Int

    /// The moment is first rounded to the nearest millisecond, as Foundation's date
    /// formatters do (so 59.9996 s is written as the next minute, even without fractions).
    public init(_ date: Date) {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, remainder) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        var whole = time_t(remainder < 0 ? seconds - 1 : seconds)
        millisecond = Int(remainder < 0 ? remainder + 1000 : remainder)
        var fields = tm()
        gmtime_r(&whole, &fields)
        year = Int(fields.tm_year) + 1900
        month = Int(fields.tm_mon) + 1
        day = Int(fields.tm_mday)
        hour = Int(fields.tm_hour)
        minute = Int(fields.tm_min)
        second = Int(fields.tm_sec)
    }

    /// `20261201T100000`.
    public var compact: String {
        pad(year, 4) + pad(month) + pad(day) + "T" + pad(hour) + pad(minute) + pad(second)
    }

    /// `2026-12-01T10:00:00Z`.
    public var iso8601: String {
        pad(year, 4) + "-" + pad(month) + "-" + pad(day) + "T" + pad(hour) + ":" + pad(minute) + ":" + pad(second) + "Z"
    }

    /// `2026-12-01T10:00:00.123Z`.
    public var iso8601Milliseconds: String {
        String(iso8601.dropLast()) + "." + pad(millisecond, 3) + "Z"
    }

    private func pad(_ value: Int, _ width: Int = 2) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
