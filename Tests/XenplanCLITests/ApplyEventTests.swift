import Foundation
import Testing

@testable import XenplanCLI

/// `apply --json` is a typed stream: every line decodes as one `ApplyEvent`, the first
/// names the stream and its version, and each field has the type docs/events.md gives.
@Suite struct ApplyEventTests {
    @Test func everyLineOfAnApplyDecodesAsATypedEvent() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let result = try lab.apply(["--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let events = try result.stdout.split(separator: "\n").map { try JSONDecoder().decode(ApplyEvent.self, from: Data($0.utf8)) }
        guard case let .stream(stream)? = events.first else {
            Issue.record("the first line is not the stream's: \(result.stdout.prefix(200))")
            return
        }
        #expect(stream.command == "xenplan apply")
        #expect(stream.version == StreamEvent.currentVersion)
        guard case let .plan(plan) = events[1], case let .summary(summary)? = events.last else {
            Issue.record("no plan line second, or no summary last")
            return
        }
        #expect(plan.actions == 10)
        #expect(plan.excluded == [])
        #expect(summary.succeeded && summary.done == 10 && summary.failed == [] && summary.excluded == [])
        let actions = events.compactMap { if case let .action(a) = $0 { a } else { nil } }
        #expect(actions.filter { $0.event == .started }.count == 10)
        #expect(actions.filter { $0.event == .done }.allSatisfy { $0.elapsedMs != nil })
        let migrate = try #require(actions.first { $0.event == .done && $0.kind == "migrate" })
        #expect(migrate.host == "cpt18" && migrate.targetHost == "cpt76" && migrate.domain == "git")
    }

    /// What is left out is the same list of objects in the `plan` line and in a summary
    /// that ran nothing (it used to be ids in one and objects in the other).
    @Test func leftOutActionsAreObjectsEverywhere() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let result = try lab.apply(["--json", "--max-disruption", "none"])
        #expect(result.status == 0, "\(result.stderr)")
        let events = try result.stdout.split(separator: "\n").map { try JSONDecoder().decode(ApplyEvent.self, from: Data($0.utf8)) }
        guard case let .plan(plan) = events[1] else {
            Issue.record("no plan line")
            return
        }
        let migrate = try #require(plan.excluded.first { $0.kind == "migrate" })
        #expect(migrate.host == "cpt18" && migrate.domain == "git")
        #expect(migrate.message == "class pause is above --max-disruption none")
        #expect(plan.excluded.contains { $0.kind == "write-config" && $0.message == "depends on #\(migrate.action) migrate git, which is left out" })
    }

    @Test func anUnknownEventIsRefused() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ApplyEvent.self, from: Data(#"{"event":"teleported"}"#.utf8)) }
    }
}
