import Foundation
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

/// Every folder of `Fixtures/broken` is a deliberately broken lab with an
/// `expected.txt` holding the exact diagnostics it must produce, one `description` per
/// line, in the order thrown. Paths are relative to `Fixtures/broken`, so the files read
/// `07-name/lab.yaml:12:9: error: …` wherever the checkout lives.
/// `RECORD_SNAPSHOTS=1` rewrites the expected files from the current output.
struct BrokenManifestTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/broken").path

    static var fixtures: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    static func output(of fixture: String) -> String? {
        do {
            _ = try ManifestLoader.load(directory: root + "/" + fixture)
            return nil
        } catch {
            return error.diagnostics.map(\.description).joined(separator: "\n")
                .replacingOccurrences(of: root + "/", with: "") + "\n"
        }
    }

    @Test func thereAreEnoughFixtures() {
        #expect(Self.fixtures.count >= 45)
    }

    @Test(arguments: fixtures)
    func brokenManifestIsRefusedExactly(_ fixture: String) throws {
        let expectedURL = URL(fileURLWithPath: Self.root + "/" + fixture + "/expected.txt")
        let actual = try #require(Self.output(of: fixture), "\(fixture) loaded without errors")
        #expect(actual == (try Snapshot.expected(actual, at: expectedURL)), "\(fixture)")
    }
}
