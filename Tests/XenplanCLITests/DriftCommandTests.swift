import Foundation
import Testing
import XenplanTestSupport

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `xenplan drift`: each class of difference produced by a matching change on a
/// converged lab, and the output formats.
@Suite struct DriftCommandTests {
    /// A converged copy of examples/minimal in a fresh state directory.
    static func convergedMinimal() async throws -> URL {
        let state = try TemporaryDirectory.create("drift")
        try await Converge.lab(at: Repository.path("examples/minimal"), stateDirectory: state)
        return state
    }

    static func drift(_ state: URL, _ extra: [String] = []) throws -> Binary.Result {
        try Binary.run(["drift", "examples/minimal", "--state-dir", state.path] + extra)
    }

    static func xl(_ state: URL, _ argv: [String]) throws {
        let result = try Binary.run(["sim", "xl", "xen1"] + argv + ["--state-dir", state.path])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func convergedLabIsInSync() async throws {
        let state = try await Self.convergedMinimal()
        defer { try? FileManager.default.removeItem(at: state) }
        let result = try Self.drift(state)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasSuffix("In sync: the hosts match examples/minimal (1 domains).\n"))
    }

    /// (out-of-band change, the line drift must print)
    static let cases: [([String], String)] = [
        (["mem-set", "web", "256M"], "  changed out of band  web on xen1: memory target 256 MiB, xenplan set 512 MiB"),
        (["vcpu-set", "web", "2"], "  changed out of band  web on xen1: 2 vCPUs online, xenplan set 1"),
        (["sched-credit", "-d", "web", "-w", "512"], "  changed out of band  web on xen1: scheduler weight 512 cap 0, xenplan set weight 256 cap 0"),
        (["crash", "web"], "  missing              web on xen1: declared running, but crashed"),
        (
            ["destroy", "web"],
            "  missing              web on xen1: declared running; configured on xen1 but not running (shut down or never started)"
        ),
        (["edit-bridge-file", "xenbr0"], "  not applied          on xen1: ifupdown: bridge xenbr0's ifupdown file changed by hand"),
        (["rm-bridge-file", "xenbr0"], "  not applied          on xen1: ifupdown: bridge xenbr0's ifupdown file missing"),
        (
            ["create", "scratch", "memory=256M"],
            "  unmanaged            scratch on xen1: scratch is not declared and was not created by xenplan: left alone"
        ),
    ]

    @Test(arguments: Self.cases)
    func outOfBandChangeIsClassified(_ change: [String], _ expectedLine: String) async throws {
        let state = try await Self.convergedMinimal()
        defer { try? FileManager.default.removeItem(at: state) }
        try Self.xl(state, change)
        let result = try Self.drift(state)
        #expect(result.status == 2)
        #expect(result.stdout.split(separator: "\n").map(String.init).contains(expectedLine), "\(result.stdout)")
    }

    @Test func orphanVolumeAndPendingRestartOnTheExampleLab() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let result = try Binary.run(["drift", "examples/lab", "--state-dir", state.path, "--format", "json"])
        #expect(result.status == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let counts = try #require(object["counts"] as? [String: Int])
        #expect(
            counts == [
                "changed-out-of-band": 1, "missing": 2, "unmanaged": 1, "pending-restart": 1,
                "orphan-volume": 1, "not-applied": 4,
            ])
        #expect(object["inSync"] as? Bool == false)
        // What is not applied is named with the words `plan` uses for its actions.
        let notApplied = (object["items"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "not-applied" }
        #expect(
            notApplied.compactMap { $0["message"] as? String } == [
                "migrate: cpt18 → cpt76, live (pool san is shared)", "vcpus: 1 → 2, live (maxvcpus 2)",
                "destroy: managed by xenplan, no longer declared; volumes kept: vg18/old-test-root",
                "config: update xenplan's configuration: maxmem 1 GiB → 2 GiB",
            ])
    }

    @Test func junitOutputParsesWithOneCasePerDomain() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let result = try Binary.run(["drift", "examples/lab", "--state-dir", state.path, "--format", "junit"])
        #expect(result.status == 2)
        let collector = TestCaseCollector()
        let parser = XMLParser(data: Data(result.stdout.utf8))
        parser.delegate = collector
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        // 15 declared + old-test and tmpbox observed, plus the host-level case.
        #expect(collector.cases.count == 18)
        #expect(collector.failed == ["conf-web", "git", "ldap", "nagios", "old-test", "teach3", "tmpbox", "www"])
    }
}

private final class TestCaseCollector: NSObject, XMLParserDelegate {
    var cases: [String] = []
    var failed: [String] = []
    private var current: String?

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if name == "testcase" { current = attributes["name"]; cases.append(attributes["name"] ?? "") }
        if name == "failure", let current { failed.append(current) }
    }
}
