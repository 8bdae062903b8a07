import FoundationEssentials
import HostModel

/// What a failed ssh connection means, read from ssh's exit status and stderr, written
/// for the person at the terminal: which host, what happened, what to do.
enum SshMessages {
    /// What the driver was doing when the connection failed.
    enum Phase: Sendable {
        case connecting
        case observing
        case performing(String, String?)
        case locking
    }

    static func failure(
        host: String, target: SshTarget, phase: Phase, status: Int32?, stderr: String,
        clientError: AgentClientError, limits: AgentLimits
    ) -> HostError {
        if let given = gaveUp(host: host, phase: phase, clientError: clientError, limits: limits) { return given }
        let said = lastLine(stderr)
        let saidSuffix = said.map { ": \($0)" } ?? ""
        // ssh's own refusals first: they mean nothing ran on the host.
        if stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") {
            return HostError(
                host: host, operation: "ssh",
                message:
                    "its ssh host key has changed since it was added to known_hosts; find out why before you trust it (a reinstalled host: remove the old key with ssh-keygen -R, check the new one, add it with \(target.keyscanCommand))"
            )
        }
        if stderr.contains("Host key verification failed") || stderr.contains("host key is known for") {
            return HostError(
                host: host, operation: "ssh",
                message:
                    "its ssh host key is not in known_hosts; verify it and add it (\(target.keyscanCommand) >> ~/.ssh/known_hosts, after comparing the fingerprint with ssh-keygen -lf on the host)"
            )
        }
        if stderr.contains("Permission denied") {
            return HostError(
                host: host, operation: "ssh",
                message:
                    "ssh refused the login as \(target.destination) (Permission denied); add this machine's public key to that user's authorized_keys on the host (see docs/hosts.md)"
            )
        }
        for unreachable in [
            "Connection refused", "Could not resolve hostname", "Connection timed out", "No route to host",
            "Network is unreachable", "Name or service not known", "Connection closed by", "Connection reset",
        ]
        where stderr.contains(unreachable) && status == 255 {
            return HostError(
                host: host, operation: "ssh",
                message: "cannot reach it over ssh\(saidSuffix); check that it is up and that sshd listens on port \(target.port ?? 22)")
        }
        if status == 127 || stderr.contains("command not found") || stderr.contains("No such file or directory") {
            if case .connecting = phase {
                return HostError(
                    host: host, operation: "connect",
                    message:
                        "\(target.agentCommand) was not found on the host\(status.map { " (exit \($0))" } ?? ""); install xenplan there (the same version as here) or set the host's agentCommand to its path (see docs/hosts.md)"
                )
            }
        }
        switch phase {
        case .connecting:
            // A line that is not the protocol is the answer, whatever became of ssh after
            // it was stopped for it (killed, or its pipe closed: 255 either way).
            if status == 255, !clientError.isNotTheProtocol {
                return HostError(host: host, operation: "ssh", message: "ssh failed\(saidSuffix)")
            }
            let what: String
            switch clientError {
            case let .notTheProtocol(line): what = "it answered \(shown(line, limit: 80))"
            default: what = status.map { "it exited with status \($0)\(saidSuffix)" } ?? "it did not answer\(saidSuffix)"
            }
            return HostError(
                host: host, operation: "connect",
                message:
                    "`\(target.agentCommand) agent` on the host does not speak the agent protocol (\(what)); it is missing or too old: install the same xenplan version on both"
            )
        case let .performing(kind, domain):
            let object = domain.map { "\(kind) of \($0)" } ?? kind
            return HostError(
                host: host, operation: kind, domain: domain,
                message:
                    "host \(host): the connection dropped during \(object); the operation may or may not have happened: run `xenplan plan` to see\(said.map { " (ssh: \($0))" } ?? "")"
            )
        case .observing:
            return HostError(
                host: host, operation: "observe",
                message: "the connection dropped while reading the host\(saidSuffix); run the command again")
        case .locking:
            return HostError(
                host: host, operation: "lock",
                message: "the connection dropped while handling the apply lock\(saidSuffix); `xenplan unlock \(host)` removes a lock left behind")
        }
    }

    /// The error for a session this side ended (a deadline, an answer too long or not the
    /// protocol's), nil for one whose output ended, which ssh's status and stderr explain.
    static func gaveUp(host: String, phase: Phase, clientError: AgentClientError, limits: AgentLimits) -> HostError? {
        let problem: String
        switch clientError {
        case .closed, .cutShort:
            // The connection dropped (mid-answer or not): ssh's status and stderr say why.
            return nil
        case let .notTheProtocol(line):
            // While connecting, that is an old or foreign program: said below with advice.
            if case .connecting = phase { return nil }
            problem = "the agent's answer is not the protocol (\(shown(line, limit: 80)))"
        case .tooLong:
            problem =
                "the agent's answer is a line longer than \(limits.maxReplyBytes.shownBytes), the most xenplan reads (\(AgentLimits.maxReplySetting) sets it)"
        case let .badAnswer(reason):
            problem = "the agent's answer does not fit the protocol (\(reason))"
        case let .timedOut(deadline):
            problem = "no answer within \(deadline.duration.shownSeconds) (\(deadline.setting) sets the limit)"
        }
        switch phase {
        case .connecting:
            return HostError(
                host: host, operation: "connect",
                message: "\(problem); ssh was stopped: check the host and its xenplan (the same version as here)")
        case .observing:
            return HostError(
                host: host, operation: "observe",
                message: "\(problem); ssh was stopped: check the host, then run the command again")
        case let .performing(kind, domain):
            let object = domain.map { "\(kind) of \($0)" } ?? kind
            return HostError(
                host: host, operation: kind, domain: domain,
                message: "\(problem); ssh was stopped, but \(object) may still be running on the host: run `xenplan plan` to see")
        case .locking:
            return HostError(
                host: host, operation: "lock",
                message: "\(problem) while handling the apply lock; ssh was stopped: `xenplan unlock \(host)` removes a lock left behind")
        }
    }

    /// The optional hello field (`trace`, `concurrency`) the hello was refused for, when
    /// that was the refusal (an agent older than the field): the client asks again without.
    static func refusedOptionalField(_ answer: AgentMessage) -> String? {
        guard answer.type == "error", answer.code == .badRequest, let message = answer.message,
            message.hasPrefix("unknown field")
        else { return nil }
        return ["trace", "concurrency"].first { message.contains("'\($0)'") }
    }

    /// Nil when the hello answer is a usable session; otherwise why not.
    static func helloProblem(_ answer: AgentMessage) -> String? {
        let ours = AgentProtocol.current
        if answer.type == "hello" {
            guard let version = answer.version, AgentProtocol.versions.contains(version) else {
                let theirs = answer.version ?? answer.versions?.max() ?? 0
                return versionMismatch(theirs: theirs, ours: ours)
            }
            return nil
        }
        switch answer.code {
        case .unsupportedVersion?:
            return versionMismatch(theirs: answer.versions?.max() ?? 0, ours: ours)
        case .badRequest? where answer.message?.hasPrefix("unknown field") == true:
            // An older agent checks the hello's fields before its versions.
            return
                "the xenplan on the host is older than this one, which speaks agent protocol \(ours) (its agent says: \(answer.message ?? "")); install the same version on both"
        case .wrongHost?:
            return
                "the agent at this address \(answer.message.map { "says: \($0)" } ?? "serves another host"); check the host's connection in the manifests"
        case .hostUnavailable?:
            return answer.message ?? "the agent cannot open the host"
        default:
            return "the agent refused the hello: \(answer.message ?? answer.type); install the same xenplan version on both"
        }
    }

    static func versionMismatch(theirs: Int, ours: Int) -> String {
        "the xenplan on the host speaks agent protocol \(theirs), this one speaks \(ours); install the same version on both"
    }

    /// The last non-empty line of ssh's stderr, without the `ssh: ` prefix noise.
    static func lastLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces() }
            .last { !$0.isEmpty }
    }
}

extension AgentClientError {
    var isNotTheProtocol: Bool {
        if case .notTheProtocol = self { return true }
        return false
    }
}
