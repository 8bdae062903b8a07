import FoundationEssentials
import HostModel
import XenplanBasics

extension XenDriver {
    /// `xl create` of the domain's owned configuration, one build at a time on this host
    /// (`builds`); a create that libxl failed because a hotplug script ran out of time is
    /// run again, after a pause, once xl has removed the half-built domain (`CreateRetry`).
    /// `--verbose` says so.
    func create(_ domain: String) async throws {
        let argv = try XenCommands.create(configPath: paths.configPath(try XenCommands.domain(domain)))
        try await builds.take {
            try await CreateRetry.run(
                isGone: { try currentDomid(of: domain) == nil },
                retrying: { attempt in
                    ProcessCommandRunner.log.debug(
                        "\(hostName): xl create \(domain): a hotplug script ran out of time and xl removed the domain; try \(attempt) of \(CreateRetry.attempts) in \(CreateRetry.pause(before: attempt).shownSeconds)"
                    )
                },
                wait: settle,
                create: { try await run(argv, operation: "create", domain: domain, timeout: deadlines.create) })
        }
    }
}
