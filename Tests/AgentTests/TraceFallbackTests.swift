import Foundation
import Testing

@testable import Agent

/// A client that wants the agent's log (`--verbose`) asks with the hello's `trace`; an
/// agent older than that field refuses the hello for it, and the client asks again
/// without rather than fail.
@Suite struct TraceFallbackTests {
    /// What an agent without `trace` answers, made by the parser itself from a hello with a
    /// field it does not know.
    static func oldAgentAnswer(field: String) throws -> AgentMessage {
        let line = Data(#"{"type":"hello","id":1,"versions":[2],"\#(field)":true}"#.utf8)
        do {
            _ = try AgentRequest.parse(line)
            Issue.record("a hello with \(field) was accepted")
            return AgentMessage(type: "hello", id: .number(1))
        } catch {
            return error.answer
        }
    }

    @Test func onlyARefusalOfTraceIsRetried() throws {
        let renamed = try Self.oldAgentAnswer(field: "tracing")
        #expect(renamed.message == "unknown field 'tracing' in a hello request")
        #expect(SshMessages.refusedOptionalField(renamed) == nil)
        var old = renamed
        old.message = renamed.message?.replacingOccurrences(of: "tracing", with: "trace")
        #expect(SshMessages.refusedOptionalField(old) == "trace")
        old.message = renamed.message?.replacingOccurrences(of: "tracing", with: "concurrency")
        #expect(SshMessages.refusedOptionalField(old) == "concurrency")
        #expect(
            SshMessages.refusedOptionalField(.failure(.number(1), .badRequest, "'versions' must be an array of 1 to 16 protocol versions"))
                == nil)
    }

    @Test func traceIsParsed() throws {
        let request = try AgentRequest.parse(Data(#"{"type":"hello","id":1,"versions":[2],"host":"a","trace":true}"#.utf8))
        guard case .hello(_, _, _, _, _, _, let trace, _) = request.kind else {
            Issue.record("not a hello")
            return
        }
        #expect(trace)
    }
}
