import Agent
import FoundationEssentials
import XenDriver

extension CommandDeadlines {
    /// The local driver's tool deadlines from the settings that give an agent host's
    /// client its deadlines (`XENPLAN_TIMEOUT_*`): the same work is bounded the same way
    /// whichever way the host is reached.
    static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(HostLimitsError)
        -> CommandDeadlines
    {
        let limits = try AgentLimits.fromEnvironment(environment)
        return CommandDeadlines(
            observe: limits.observe, create: limits.create, migrate: limits.migrate,
            copyImage: limits.copyImage, operation: limits.operation)
    }
}
