import Foundation

/// Where and how to reach a host's agent over OpenSSH, and the exact argument vector
/// that does it. Nothing here goes through a local shell: the vector is handed to
/// `execve` as it is.
public struct SshTarget: Hashable, Sendable {
    public var user: String?
    /// A DNS name, an IPv4 address, or an IPv6 address in brackets (`[fd00::18]`).
    public var address: String
    public var port: Int?
    /// `xenplan` (found on the remote PATH) or an absolute path; validated by the manifest
    /// loader, since the remote sshd runs it through the user's login shell.
    public var agentCommand: String
    /// Extra `ssh` options (from `XENPLAN_SSH_OPTIONS`), placed after the ones that keep
    /// ssh safe, so that they cannot turn those off: for `-o`, ssh keeps the first value.
    public var extraOptions: [String]
    /// Directories of `dir` pools the lab declares for the host, told to the agent.
    public var imageDirectories: [String]
    /// Volume groups of `lvm` pools the lab declares for the host, told to the agent.
    public var volumeGroups: [String]

    public init(user: String?, address: String, port: Int?, agentCommand: String = "xenplan",
                extraOptions: [String] = [], imageDirectories: [String] = [], volumeGroups: [String] = []) {
        self.user = user
        self.address = address
        self.port = port
        self.agentCommand = agentCommand
        self.extraOptions = extraOptions
        self.imageDirectories = imageDirectories
        self.volumeGroups = volumeGroups
    }

    /// Options that must hold whatever else is given: never prompt, never accept an
    /// unknown or changed host key, no terminal (the protocol is binary-clean lines),
    /// no escape character, no forwarding.
    static let fixedOptions = [
        "-o", "BatchMode=yes",
        "-o", "StrictHostKeyChecking=yes",
        "-o", "ForwardAgent=no",
        "-o", "ForwardX11=no",
        "-o", "ClearAllForwardings=yes",
        "-T", "-e", "none",
    ]

    /// Defaults the user may override through `XENPLAN_SSH_OPTIONS`: a dead network is
    /// noticed within about 45 s, an unreachable host within 15 s.
    static let tunableOptions = [
        "-o", "ConnectTimeout=15",
        "-o", "ServerAliveInterval=15",
        "-o", "ServerAliveCountMax=3",
    ]

    /// `user@host` as ssh takes it (an IPv6 address without its brackets).
    public var destination: String {
        var host = address
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (user.map { "\($0)@" } ?? "") + host
    }

    /// The arguments after `ssh`: options, `--`, destination, then the remote command
    /// as two words (`xenplan agent`).
    public var arguments: [String] {
        var argv = Self.fixedOptions + extraOptions + Self.tunableOptions
        if let port { argv += ["-p", String(port)] }
        argv += ["--", destination, agentCommand, "agent"]
        return argv
    }

    /// How a person would check the host key: `ssh-keyscan -p 2222 cpt18.example.org`.
    var keyscanCommand: String {
        var words = ["ssh-keyscan"]
        if let port { words += ["-p", String(port)] }
        words.append(destination.split(separator: "@").last.map(String.init) ?? address)
        return words.joined(separator: " ")
    }

    /// `XENPLAN_SSH_OPTIONS` split at spaces and tabs into arguments (never through a
    /// shell, so quotes are not special); it must start with an option.
    public static func options(fromEnvironment value: String?) throws -> [String] {
        guard let value else { return [] }
        let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = words.first else { return [] }
        guard first.hasPrefix("-") else {
            throw OptionsError(message: "XENPLAN_SSH_OPTIONS must hold ssh options such as '-o UserKnownHostsFile=FILE -i KEY', not \(shown(first))")
        }
        if let bad = words.first(where: { $0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f } }) {
            throw OptionsError(message: "XENPLAN_SSH_OPTIONS has a control character in \(shown(bad))")
        }
        return words
    }

    public struct OptionsError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// `ssh` on the PATH, else `/usr/bin/ssh`.
    public static func sshExecutable(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        for directory in (environment["PATH"] ?? "").split(separator: ":") where directory.hasPrefix("/") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("ssh")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: "/usr/bin/ssh")
    }
}
