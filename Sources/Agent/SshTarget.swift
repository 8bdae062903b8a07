import FoundationEssentials
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
    /// Disk images the lab declares for the host, told to the agent: the image files it observes.
    public var imagePaths: [String]
    /// Connection sharing (`SshSharing.options`), right after the fixed options; none by
    /// default.
    public var sharing: [String] = []

    public init(
        user: String?, address: String, port: Int?, agentCommand: String = "xenplan",
        extraOptions: [String] = [], imageDirectories: [String] = [], volumeGroups: [String] = [],
        imagePaths: [String] = []
    ) {
        self.user = user
        self.address = address
        self.port = port
        self.agentCommand = agentCommand
        self.extraOptions = extraOptions
        self.imageDirectories = imageDirectories
        self.volumeGroups = volumeGroups
        self.imagePaths = imagePaths
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
        var argv = Self.fixedOptions + sharing + extraOptions + Self.tunableOptions
        if let port { argv += ["-p", String(port)] }
        argv += ["--", destination, agentCommand, "agent"]
        return argv
    }

    /// The control socket of a shared connection, when sharing is on.
    public var controlPath: String? {
        sharing.first { $0.hasPrefix("ControlPath=") }.map { String($0.dropFirst("ControlPath=".count)) }
    }

    /// How a person would check the host key: `ssh-keyscan -p 2222 cpt18.example.org`.
    var keyscanCommand: String {
        var words = ["ssh-keyscan"]
        if let port { words += ["-p", String(port)] }
        words.append(destination.split(separator: "@").last.map(String.init) ?? address)
        return words.joined(separator: " ")
    }

    /// `XENPLAN_SSH_OPTIONS` split at spaces and tabs into arguments (never through a
    /// shell, so quotes are not special); it must hold options only, and none that
    /// decides which host keys are trusted (`refusedOptions`). `knownHosts`
    /// (`XENPLAN_SSH_KNOWN_HOSTS`) names the one known_hosts file to trust instead of
    /// the user's and the system's, once it is checked (`knownHostsOptions`).
    public static func options(
        fromEnvironment value: String?,
        knownHosts: String? = ProcessInfo.processInfo.environment[knownHostsVariable]
    ) throws -> [String] {
        let words = (value ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if let first = words.first, !first.hasPrefix("-") {
            throw OptionsError(message: "XENPLAN_SSH_OPTIONS must hold ssh options such as '-i KEY -o IdentitiesOnly=yes', not \(shown(first))")
        }
        if let bad = words.first(where: { $0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f } }) {
            throw OptionsError(message: "XENPLAN_SSH_OPTIONS has a control character in \(shown(bad))")
        }
        try checkOptions(words)
        return words + (try knownHosts.map(knownHostsOptions) ?? [])
    }

    public static let knownHostsVariable = "XENPLAN_SSH_KNOWN_HOSTS"

    /// ssh's options that take a value (its getopt string), for reading bundled flags
    /// (`-TF FILE`, `-oKey=value`) the way ssh does.
    static let optionsWithValue = Set("bceilmopBDEFIJLOPQRSwW")

    /// `-o` keys refused in `XENPLAN_SSH_OPTIONS` (lower case, as ssh compares them), and
    /// why. `StrictHostKeyChecking=yes` alone is let through: it repeats the fixed option.
    static let refusedOptions: [String: (name: String, why: String)] = {
        let trust = "it decides which host keys are trusted; name a known_hosts file in \(knownHostsVariable) instead (docs/hosts.md)"
        let entries: [(String, String)] = [
            ("StrictHostKeyChecking", "xenplan always refuses unknown and changed host keys; add the host's key to known_hosts (docs/hosts.md)"),
            ("UserKnownHostsFile", trust),
            ("GlobalKnownHostsFile", trust),
            ("KnownHostsCommand", trust),
            ("HostKeyAlias", trust),
            ("VerifyHostKeyDNS", "it lets DNS vouch for a host key"),
            ("ControlPath", "a shared connection skips this connection's host key check"),
            ("Include", "another configuration file could turn host key checking off"),
            ("Match", "it applies configuration this check does not see"),
        ]
        return Dictionary(uniqueKeysWithValues: entries.map { ($0.0.lowercased(), (name: $0.0, why: $0.1)) })
    }()

    /// Reads `words` as ssh's getopt would and refuses what could weaken host key checking,
    /// and any word that is not an option or an option's value (ssh would take it as the
    /// host to connect to).
    static func checkOptions(_ words: [String]) throws {
        var index = 0
        while index < words.count {
            let word = words[index]
            guard word.hasPrefix("-"), word.count > 1, word != "--" else {
                throw OptionsError(
                    message:
                        "XENPLAN_SSH_OPTIONS holds \(shown(word)), which is not an option or an option's value; ssh would read it as the host to connect to"
                )
            }
            var flags = Substring(word.dropFirst())
            while let flag = flags.first {
                flags = flags.dropFirst()
                guard optionsWithValue.contains(flag) else { continue }
                let value: String
                if !flags.isEmpty {
                    value = String(flags)
                } else {
                    index += 1
                    guard index < words.count else {
                        throw OptionsError(message: "XENPLAN_SSH_OPTIONS ends with \(shown(word)), which needs a value")
                    }
                    value = words[index]
                }
                try checkOption(flag, value, given: flags.isEmpty ? "\(word) \(value)" : word)
                break
            }
            index += 1
        }
    }

    static func checkOption(_ flag: Character, _ value: String, given: String) throws {
        let refuse = { (name: String, why: String) in
            OptionsError(message: "XENPLAN_SSH_OPTIONS may not set \(name) (\(shown(given))): \(why)")
        }
        switch flag {
        case "F": throw refuse("-F", "another configuration file could turn host key checking off")
        case "S": throw refuse("-S", refusedOptions["controlpath"]!.why)
        case "o":
            // ssh reads `Key=value`, `Key value` and `"Key"=value`, the key in any case.
            let key = value.prefix { $0 != "=" && $0 != " " && $0 != "\t" }.filter { $0 != "\"" }.lowercased()
            guard let refused = refusedOptions[key] else { return }
            if key == "stricthostkeychecking",
                value.drop(while: { $0 != "=" }).dropFirst().trimmingSpaces().lowercased() == "yes"
            {
                return
            }
            throw refuse(refused.name, refused.why)
        default:
            return
        }
    }

    /// `XENPLAN_SSH_KNOWN_HOSTS`: the only known_hosts file ssh consults. It must be an
    /// absolute path to a regular file that only its owner (this user or root) can change:
    /// whoever can write it decides which hosts are trusted.
    static func knownHostsOptions(_ path: String) throws -> [String] {
        let problem: String?
        var info = stat()
        if Syntax.pathProblem(path) != nil {
            problem = "is not an absolute path without spaces or shell characters"
        } else if stat(path, &info) != 0 {
            problem = "cannot be read (\(String(cString: strerror(errno))))"
        } else if (info.st_mode & S_IFMT) != S_IFREG {
            problem = "is not a regular file"
        } else if info.st_mode & 0o022 != 0 {
            problem = "can be changed by other users (mode \(String(info.st_mode & 0o777, radix: 8))); chmod go-w it"
        } else if info.st_uid != getuid() && info.st_uid != 0 {
            problem = "belongs to another user (uid \(info.st_uid))"
        } else {
            problem = nil
        }
        if let problem {
            throw OptionsError(message: "\(knownHostsVariable) \(shown(path, limit: 200)) \(problem)")
        }
        return ["-o", "UserKnownHostsFile=\(path)", "-o", "GlobalKnownHostsFile=/dev/null"]
    }

    public struct OptionsError: Error, Hashable, CustomStringConvertible {
        public var message: String
        public init(message: String) { self.message = message }
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
