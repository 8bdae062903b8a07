import Foundation
import Testing

@Suite struct ValidateCommandTests {
    @Test func exampleLabIsValid() throws {
        let result = try Binary.run(["validate", "examples/lab"])
        #expect(result.status == 0)
        #expect(result.stdout == "examples/lab: 2 hosts, 15 domains, 3 pools, 3 groups — valid\n")
        #expect(result.stderr == "")
    }

    @Test func minimalLabIsValid() throws {
        let result = try Binary.run(["validate", "examples/minimal"])
        #expect(result.status == 0)
        #expect(result.stdout == "examples/minimal: 1 host, 1 domain, 1 pool, 0 groups — valid\n")
    }

    /// Every broken fixture exits 1 and prints exactly its expected diagnostics, then the count.
    @Test(arguments: Self.brokenFixtures)
    func brokenFixtureFails(_ name: String) throws {
        let fixtures = Repository.root.appendingPathComponent("Tests/ManifestTests/Fixtures/broken")
        let expected = try String(contentsOf: fixtures.appendingPathComponent("\(name)/expected.txt"), encoding: .utf8)
        let result = try Binary.run(["validate", name], in: fixtures)
        #expect(result.status == 1)
        #expect(result.stdout == "")
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let diagnostics = lines.dropLast(2).joined(separator: "\n")
        #expect(diagnostics == expected.trimmingCharacters(in: .newlines))
        let errorCount = expected.split(separator: "\n").filter { $0.contains(": error: ") || $0.hasPrefix("error: ") }.count
        let countLine = lines.dropLast().last ?? ""
        #expect(countLine.hasPrefix("\(errorCount) error"), "count line: \(countLine)")
    }

    static var brokenFixtures: [String] {
        let dir = Repository.root.appendingPathComponent("Tests/ManifestTests/Fixtures/broken").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    @Test func missingDirectoryIsAnError() throws {
        let result = try Binary.run(["validate", "no/such/dir"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no/such/dir"))
    }
}

@Suite struct UnknownCommandTests {
    /// A mistyped command is named with the closest one; a word close to none is left to
    /// the argument parser's own message.
    @Test func aMistypedCommandSuggestsTheClosest() throws {
        let typo = try Binary.run(["paln", "examples/lab"])
        #expect(typo.status == 64)
        #expect(typo.stdout == "")
        #expect(typo.stderr == "error: unknown command 'paln'; did you mean 'plan'? (`xenplan --help` lists them)\n")
        let backups = try Binary.run(["backpus"])
        #expect(backups.stderr == "error: unknown command 'backpus'; did you mean 'backups'? (`xenplan --help` lists them)\n")
        let far = try Binary.run(["xyzzy"])
        #expect(far.status == 64)
        #expect(far.stderr.hasPrefix("Error: Unexpected argument 'xyzzy'"))
    }
}

@Suite struct ValidateJSONTests {
    static let fixtures = "Tests/ManifestTests/Fixtures/broken"

    /// Every diagnostic with its file, line, column, severity and notes, for an editor or a
    /// CI annotation; exit 1 when there is an error.
    @Test func diagnosticsAreObjectsWithPositionsAndNotes() throws {
        let result = try Binary.run(["validate", "\(Self.fixtures)/06-duplicate-domain-across-files", "--format", "json"])
        #expect(result.status == 1)
        #expect(result.stderr == "")
        let dir = "\(Self.fixtures)/06-duplicate-domain-across-files"
        #expect(
            result.stdout
                == #"{"diagnostics":[{"location":{"column":3,"file":"\#(dir)/b-domains.yaml","line":3},"message":"domain 'ns1' is defined more than once","notes":[{"location":{"column":3,"file":"\#(dir)/a-domains.yaml","line":2},"message":"first defined here"}],"severity":"error"}],"format":1,"valid":false}"#
                + "\n")
    }

    @Test func aValidLabSaysSo() throws {
        let result = try Binary.run(["validate", "examples/lab", "--format", "json"])
        #expect(result.status == 0)
        #expect(
            result.stdout
                == #"{"diagnostics":[],"format":1,"summary":"examples/lab: 2 hosts, 15 domains, 3 pools, 3 groups — valid","valid":true}"# + "\n")
    }
}
