import FoundationEssentials
import XenplanBasics

/// `xl console NAME` on a host reached over ssh, for a person at a terminal: the same
/// host key rules as the agent's connection (strict checking, `XENPLAN_SSH_KNOWN_HOSTS`,
/// `XENPLAN_SSH_OPTIONS` as already checked into the target), but a terminal, and no
/// `BatchMode`, since the administrator may have to type a passphrase.
public struct SshConsole: Hashable, Sendable {
    public var target: SshTarget
    public var domain: String

    /// The remote shell reads the command line, so the name must be one of the name
    /// rule's (letters, digits, `.`, `-`): nothing in it is special to a shell.
    public init(target: SshTarget, domain: String) throws(NotADomainName) {
        guard Syntax.isName(domain) else { throw NotADomainName(name: domain) }
        self.target = target
        self.domain = domain
    }

    public struct NotADomainName: Error, Hashable, CustomStringConvertible {
        public var name: String
        public init(name: String) { self.name = name }
        public var description: String {
            "\(shownValue(name)) is not a domain name: it is not put on a remote command line"
        }
    }

    /// Options that hold whatever else is given (ssh keeps an option's first value): a
    /// terminal for the console, never an unknown or changed host key, nothing forwarded
    /// to the dom0. ssh's escape character stays (`~.` ends a stuck session).
    static let fixedOptions = [
        "-t",
        "-o", "StrictHostKeyChecking=yes",
        "-o", "ForwardAgent=no",
        "-o", "ForwardX11=no",
        "-o", "ClearAllForwardings=yes",
    ]

    /// The arguments after `ssh`: the fixed options, the user's (`XENPLAN_SSH_OPTIONS`,
    /// the known_hosts file), the agent's overridable timeouts, the port, then `--`, the
    /// destination and the remote command.
    public var arguments: [String] {
        var argv = Self.fixedOptions + target.extraOptions + SshTarget.tunableOptions
        if let port = target.port { argv += ["-p", String(port)] }
        argv += ["--", target.destination, "xl", "console", domain]
        return argv
    }

    /// The whole argument vector, `ssh` first (an absolute path, for `execv`).
    public func argv(ssh: URL = SshTarget.sshExecutable()) -> [String] {
        [ssh.path] + arguments
    }
}
