import Foundation
import Testing
import XenplanTestSupport

/// Commands that only read (`validate`, `plan`, `show`, `status`, `drift`, `backups`)
/// leave the directory they run in as they found it: no state directory, no working copy
/// of a simulated host, no lock file. Only `apply` writes a simulated host.
@Suite struct ReadOnlyCommandTests {
    /// Every path under `directory`, relative, sorted, with its size (a file rewritten with
    /// other content shows).
    static func listing(_ directory: URL) throws -> [String] {
        let manager = FileManager.default
        let paths = try #require(manager.subpathsOfDirectory(atPath: directory.path) as [String]?)
        return try paths.sorted().map { path in
            let attributes = try manager.attributesOfItem(atPath: directory.appendingPathComponent(path).path)
            return "\(path) \(attributes[.size] as? Int ?? -1)"
        }
    }

    static func readOnlyRuns(planFile: String) -> [[String]] {
        [
            ["validate", "lab"], ["plan", "lab"], ["plan", "lab", "--json"], ["show", planFile], ["status", "lab"],
            ["status", "lab", "--json"], ["drift", "lab"], ["backups", "-C", "lab"],
        ]
    }

    /// Saves a plan of `work/lab`, then runs every read-only command there: none may
    /// change what `work` holds.
    static func expectReadOnly(in work: URL) throws {
        let saved = try Binary.run(["plan", "lab", "--out", "saved.plan"], in: work)
        #expect(saved.status == 0, "\(saved.stderr)")
        let before = try listing(work)
        for arguments in readOnlyRuns(planFile: "saved.plan") {
            let result = try Binary.run(arguments, in: work)
            #expect([0, 2].contains(result.status), "\(arguments): \(result.stderr)")
            #expect(try listing(work) == before, "xenplan \(arguments.joined(separator: " ")) wrote files")
        }
    }

    @Test func readingNewSimulatedHostsCreatesNothing() throws {
        let work = try TemporaryDirectory.create("read-only")
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.copyItem(at: Repository.root.appendingPathComponent("examples/lab"), to: work.appendingPathComponent("lab"))
        try Self.expectReadOnly(in: work)
        #expect(try !Self.listing(work).contains { $0.hasPrefix("state") })
    }

    @Test func readingCommittedSeedsWritesNoWorkingCopy() throws {
        let work = try TemporaryDirectory.create("read-only-seeds")
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.copyItem(at: Repository.root.appendingPathComponent("examples/lab"), to: work.appendingPathComponent("lab"))
        let state = work.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        for host in ["cpt18", "cpt76"] {
            try FileManager.default.copyItem(
                at: Repository.root.appendingPathComponent("state/\(host).sim.json"), to: state.appendingPathComponent("\(host).sim.json"))
        }
        try Self.expectReadOnly(in: work)

        // The first apply is what writes the hosts' working copies.
        let applied = try Binary.run(["apply", "lab", "--auto-approve", "--allow-destroy"], in: work)
        #expect(applied.status == 0, "\(applied.stderr)")
        let after = try Self.listing(work).map { $0.split(separator: " ")[0] }
        #expect(after.contains("state/cpt18.live.json") && after.contains("state/cpt76.live.json"))
    }
}
