import Foundation
import Testing
import XenplanTestSupport

/// `xenplan plan` run as a user would, against copies of the committed simulated hosts.
@Suite struct PlanCommandTests {
    /// Elapsed times vary from run to run; everything else must not.
    static func normalised(_ text: String) -> String {
        text.replacingOccurrences(of: #"in \d+ ms"#, with: "in N ms", options: .regularExpression)
    }

    /// The plan of examples/lab against the committed state, compared with a golden file
    /// that fails on any change. `RECORD_SNAPSHOTS=1` rewrites it.
    @Test func exampleLabPlanMatchesGoldenFile() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let result = try Binary.run(["plan", "examples/lab", "--state-dir", state.path])
        #expect(result.status == 0, "\(result.stderr)")
        let golden = Repository.root.appendingPathComponent("Tests/XenplanCLITests/Golden/example-lab-plan.txt")
        let output = Self.normalised(result.stdout)
        #expect(output == (try Snapshot.expected(output, at: golden)))
    }

    @Test func detailedExitcodeIsTwoWhenThereAreActions() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let result = try Binary.run(["plan", "examples/lab", "--state-dir", state.path, "--detailed-exitcode"])
        #expect(result.status == 2)
    }

    @Test func jsonPlanIsVersionedAndNamesEveryKindOfAction() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let result = try Binary.run(["plan", "examples/lab", "--state-dir", state.path, "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["formatVersion"] as? Int == 1)
        let actions = try #require(object["actions"] as? [[String: Any]])
        let kinds = Set(actions.compactMap { $0["kind"] as? String })
        #expect(kinds.isSuperset(of: ["create", "set-memory", "set-vcpus", "migrate", "destroy"]))
        let notices = try #require(object["notices"] as? [[String: Any]])
        let noticeKinds = Set(notices.compactMap { $0["kind"] as? String })
        #expect(noticeKinds.isSuperset(of: ["pending-restart", "unmanaged"]))
    }

    @Test func savedPlanIsPrivateAndReadable() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let planFile = state.appendingPathComponent("saved.plan.json")
        let result = try Binary.run(["plan", "examples/lab", "--state-dir", state.path, "--out", planFile.path])
        #expect(result.status == 0)
        // The closing line says where it went, and no longer offers `--out`.
        #expect(result.stdout.hasSuffix("\nSaved to \(planFile.path); apply it with `xenplan apply \(planFile.path)`.\n"))
        #expect(!result.stdout.contains("save it with `--out`"))
        let attributes = try FileManager.default.attributesOfItem(atPath: planFile.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: planFile)) as? [String: Any]
        #expect((object?["fingerprints"] as? [String: String])?.isEmpty == false)
    }

    @Test func outOfBandChangeShowsInTheNextPlan() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let change = try Binary.run(["sim", "xl", "cpt76", "mem-set", "proxy", "256M", "--state-dir", state.path])
        #expect(change.status == 0, "\(change.stderr)")
        let result = try Binary.run(["plan", "examples/lab", "--state-dir", state.path, "--domain", "proxy"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("~ memory    proxy     256 MiB → 512 MiB"))
    }

    static let unknownTargets: [([String], String)] = [
        (["--host", "cpt99"], "error: --host 'cpt99': no such host in examples/lab; did you mean 'cpt18'?\n"),
        (["--host", "backup-server"], "error: --host 'backup-server': no such host in examples/lab (hosts: cpt18, cpt76)\n"),
        (["--skip-unreachable", "cpt7"], "error: --skip-unreachable 'cpt7': no such host in examples/lab; did you mean 'cpt76'?\n"),
        (
            ["--domain", "ldpa"],
            "error: --domain 'ldpa': no domain of that name is declared in examples/lab or runs on a host; did you mean 'ldap'?\n"
        ),
    ]

    @Test(arguments: Self.unknownTargets)
    func anUnknownTargetIsAnErrorWithTheClosestName(_ flags: [String], _ expected: String) throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let result = try Binary.run(["plan", "examples/lab", "--state-dir", state.path] + flags)
        #expect(result.status == 1)
        #expect(result.stderr == expected)
    }

    @Test func invalidManifestsStopBeforeAnyHostIsContacted() throws {
        let state = try TemporaryDirectory.create("state")
        defer { try? FileManager.default.removeItem(at: state) }
        let fixtures = Repository.root.appendingPathComponent("Tests/ManifestTests/Fixtures/broken")
        let result = try Binary.run(["plan", "10-duplicate-mac", "--state-dir", state.path], in: fixtures)
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: MAC 00:16:3e:78:20:21 of domain 'www' is already used"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.path).isEmpty)
    }

    @Test func firstPlanOnEmptyHostsCreatesEverything() throws {
        let state = try TemporaryDirectory.create("state")
        defer { try? FileManager.default.removeItem(at: state) }
        let result = try Binary.run(["plan", "examples/minimal", "--state-dir", state.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("+ create    web"))
        #expect(result.stdout.contains("Plan: 1 to create, 1 bridge to create, 1 volume to create."))
    }
}
