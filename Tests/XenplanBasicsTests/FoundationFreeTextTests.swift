import Foundation
import Testing
import XenplanBasics

/// What replaced Foundation's formatters and string methods in the binary gives, byte for
/// byte, what they gave (the tests may use Foundation; the binary does not link it).
struct FoundationFreeTextTests {
    static let dates: [Date] =
        [0, 1, 0.001, 0.999, 59.9995, 86_399.9999, 951_782_400.5, 1_764_633_600.123, 1_764_633_600.1239, 4_102_444_799.999]
        .map { Date(timeIntervalSince1970: $0) }
        + (0..<200).map { Date(timeIntervalSince1970: 1_700_000_000 + Double($0) * 7_777.777) }

    @Test func utcTimeIsWhatTheDateFormattersWrote() {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime]
        iso.timeZone = TimeZone(identifier: "UTC")
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        fractional.timeZone = TimeZone(identifier: "UTC")
        let compact = DateFormatter()
        compact.locale = Locale(identifier: "en_US_POSIX")
        compact.timeZone = TimeZone(identifier: "UTC")
        compact.dateFormat = "yyyyMMdd'T'HHmmss"
        for date in Self.dates {
            let time = UTCTime(date)
            #expect(time.iso8601 == iso.string(from: date))
            #expect(time.iso8601Milliseconds == fractional.string(from: date))
            #expect(time.compact == compact.string(from: date))
        }
    }

    /// What NSString's path methods gave (the relative cases written out: Foundation's
    /// own crashes on some of them).
    @Test(arguments: [
        ("/a/b", "/a", "b"), ("/a/b/", "/a", "b"), ("/a", "/", "a"), ("/", "/", "/"), ("a", "", "a"),
        ("a/b", "a", "b"), ("/srv/xen-images/seed.iso", "/srv/xen-images", "seed.iso"),
    ])
    func pathParts(_ path: String, _ parent: String, _ last: String) {
        #expect(PathText.parent(path) == parent)
        #expect(PathText.lastComponent(path) == last)
        if path.hasPrefix("/") {
            #expect(parent == (path as NSString).deletingLastPathComponent)
            #expect(last == (path as NSString).lastPathComponent)
        }
    }

    static let texts = ["", " ", "  a b  ", "\t x\t", "\n a \n", "\r\n y \r\n", "\u{00A0}z\u{2003}", "\u{2028}w\u{85}", "ab"]

    @Test(arguments: texts)
    func trimmingIsFoundations(_ text: String) {
        #expect(text.trimmingSpaces() == text.trimmingCharacters(in: .whitespaces))
        #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(text.trimmingNewlines() == text.trimmingCharacters(in: .newlines))
    }

    @Test func quotingIsAsBefore() {
        #expect(CommandLineText.word("it's") == "'it'\\''s'")
    }
}
