import Agent
import Testing
import XenDriver

@testable import XenplanCLI

/// The local driver's tool deadlines are an agent client's, from the same variables.
@Suite struct CommandDeadlinesTests {
    @Test func theDefaultsAreAnAgentClients() throws {
        let limits = AgentLimits()
        #expect(
            try CommandDeadlines.fromEnvironment([:])
                == CommandDeadlines(
                    observe: limits.observe, create: limits.create, migrate: limits.migrate, copyImage: limits.copyImage,
                    operation: limits.operation))
    }

    @Test func theSameVariablesSetThem() throws {
        let deadlines = try CommandDeadlines.fromEnvironment(["XENPLAN_TIMEOUT_COPY_IMAGE": "7200", "XENPLAN_TIMEOUT_CREATE": "0.5"])
        #expect(deadlines.copyImage == .seconds(7200))
        #expect(deadlines.create == .milliseconds(500))
        #expect(deadlines.operation == AgentLimits().operation)
    }

    @Test func anUnusableValueIsRefused() {
        let error = #expect(throws: HostLimitsError.self) { try CommandDeadlines.fromEnvironment(["XENPLAN_TIMEOUT_COPY_IMAGE": "soon"]) }
        #expect(error?.message == "XENPLAN_TIMEOUT_COPY_IMAGE='soon' is not a number of seconds between 0 and 604800 (one week)")
    }
}
