import Foundation
import Testing

@testable import XenplanCLI

/// The tables and times the CLI writes without Foundation are what `String(format:)` and
/// `padding(toLength:withPad:startingAt:)` wrote.
struct FoundationFreeRenderingTests {
    @Test func tenthsOfASecondRoundAsPrintfDid() {
        for ms in Array(0...3_000) + [9_950, 10_050, 123_456, 3_600_250] {
            #expect(ProgressText.seconds(.milliseconds(ms)) == String(format: "%.1f s", Double(ms) / 1000), "\(ms)")
        }
    }

    @Test func verboseStampsAreAsPrintfWroteThem() {
        for ms: Int64 in [0, 1, 999, 1_000, 12_345, 999_999, 10_000_000, 123_456_789] {
            let stamp = String(format: "[%4lld.%03lld s]", ms / 1000, ms % 1000)
            #expect(VerboseLogHandler.line(label: "x", message: "m", metadata: [:], elapsed: .milliseconds(ms)) == stamp + " x: m")
        }
    }

    @Test(arguments: ["", "www", "exactly9c", "longer than the column", "dé", "😀x"])
    func paddingIsFoundations(_ text: String) {
        for length in [0, 3, 9, 14] {
            #expect(text.padded(to: length) == text.padding(toLength: length, withPad: " ", startingAt: 0))
        }
    }
}
