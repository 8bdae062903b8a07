import FoundationEssentials
import HostModel
import XenplanBasics

extension XenDriver {
    /// `xl create` of the domain's owned configuration; a create that libxl failed
    /// because a hotplug script ran out of time is run again once xl has removed the
    /// half-built domain (`CreateRetry`). `--verbose` says so.
    func create(_ domain: String) async throws {
        let argv = try XenCommands.create(configPath: paths.configPath(try XenCommands.domain(domain)))
        try await CreateRetry.run(
            isGone: { try currentDomid(of: domain) == nil },
            retrying: { attempt, _ in
                ProcessCommandRunner.log.debug(
                    "\(hostName): xl create \(domain): a hotplug script ran out of time and xl removed the domain; try \(attempt) of \(CreateRetry.attempts)"
                )
            },
            create: { try await run(argv, operation: "create", domain: domain, timeout: deadlines.create) })
    }
}
