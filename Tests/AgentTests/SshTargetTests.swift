import Agent
import Foundation
import Testing
import XenplanTestSupport

/// The argument vector handed to `ssh`: fixed safety options first (ssh keeps the first
/// value of an option, so nothing later can turn them off), never a shell.
struct SshTargetTests {
    @Test func argumentVector() {
        let target = SshTarget(
            user: "root", address: "cpt18.example.org", port: 2222, agentCommand: "/usr/local/bin/xenplan",
            extraOptions: ["-o", "UserKnownHostsFile=/tmp/kh", "-i", "/tmp/key"])
        #expect(
            target.arguments == [
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "ForwardAgent=no", "-o", "ForwardX11=no",
                "-o", "ClearAllForwardings=yes", "-T", "-e", "none",
                "-o", "UserKnownHostsFile=/tmp/kh", "-i", "/tmp/key",
                "-o", "ConnectTimeout=15", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3",
                "-p", "2222", "--", "root@cpt18.example.org", "/usr/local/bin/xenplan", "agent",
            ])
    }

    @Test func defaultsAndIPv6() {
        let target = SshTarget(user: nil, address: "[fd00::18]", port: nil)
        #expect(target.arguments.suffix(4) == ["--", "fd00::18", "xenplan", "agent"])
        #expect(!target.arguments.contains("-p"))
    }

    @Test(arguments: [
        ("-o IdentitiesOnly=yes -i /tmp/key", ["-o", "IdentitiesOnly=yes", "-i", "/tmp/key"]),
        ("  -i\t/tmp/key  ", ["-i", "/tmp/key"]),
        ("", []),
        (
            "-J jump@bastion -p 2222 -o ConnectTimeout=5 -oServerAliveInterval=5",
            ["-J", "jump@bastion", "-p", "2222", "-o", "ConnectTimeout=5", "-oServerAliveInterval=5"]
        ),
        (
            "-o ProxyJump=jump@bastion -o Port=2222 -o IdentityFile=/k -o CheckHostIP=no",
            ["-o", "ProxyJump=jump@bastion", "-o", "Port=2222", "-o", "IdentityFile=/k", "-o", "CheckHostIP=no"]
        ),
        ("-4Ci /tmp/key -vv", ["-4Ci", "/tmp/key", "-vv"]),
        // It repeats the fixed option: harmless.
        ("-o StrictHostKeyChecking=yes -o stricthostkeychecking=YES", ["-o", "StrictHostKeyChecking=yes", "-o", "stricthostkeychecking=YES"]),
        ("-o LogLevel=ERROR -o HostKeyAlgorithms=ssh-ed25519", ["-o", "LogLevel=ERROR", "-o", "HostKeyAlgorithms=ssh-ed25519"]),
    ])
    func optionsFromTheEnvironment(_ text: String, _ expected: [String]) throws {
        #expect(try SshTarget.options(fromEnvironment: text, knownHosts: nil) == expected)
    }

    static let trust = "it decides which host keys are trusted; name a known_hosts file in XENPLAN_SSH_KNOWN_HOSTS instead (docs/hosts.md)"
    static let strict = "xenplan always refuses unknown and changed host keys; add the host's key to known_hosts (docs/hosts.md)"

    /// Options that would decide which host keys are trusted are refused in every spelling
    /// ssh accepts, naming the option and what was given.
    @Test(arguments: [
        ("-o StrictHostKeyChecking=no", "StrictHostKeyChecking ('-o StrictHostKeyChecking=no'): " + strict),
        ("-oStrictHostKeyChecking=accept-new", "StrictHostKeyChecking ('-oStrictHostKeyChecking=accept-new'): " + strict),
        ("-o stricthostkeychecking=no", "StrictHostKeyChecking ('-o stricthostkeychecking=no'): " + strict),
        ("-o STRICTHOSTKEYCHECKING=off", "StrictHostKeyChecking ('-o STRICTHOSTKEYCHECKING=off'): " + strict),
        ("-o StrictHostKeyChecking no", "StrictHostKeyChecking ('-o StrictHostKeyChecking'): " + strict),
        ("-o \"StrictHostKeyChecking\"=no", "StrictHostKeyChecking ('-o \"StrictHostKeyChecking\"=no'): " + strict),
        ("-o StrictHostKeyChecking=", "StrictHostKeyChecking ('-o StrictHostKeyChecking='): " + strict),
        ("-i /k -TvoStrictHostKeyChecking=no", "StrictHostKeyChecking ('-TvoStrictHostKeyChecking=no'): " + strict),
        ("-o UserKnownHostsFile=/dev/null", "UserKnownHostsFile ('-o UserKnownHostsFile=/dev/null'): " + trust),
        ("-oUserKnownHostsFile=/tmp/kh", "UserKnownHostsFile ('-oUserKnownHostsFile=/tmp/kh'): " + trust),
        ("-o userknownhostsfile=/tmp/kh", "UserKnownHostsFile ('-o userknownhostsfile=/tmp/kh'): " + trust),
        ("-o GlobalKnownHostsFile=/tmp/kh", "GlobalKnownHostsFile ('-o GlobalKnownHostsFile=/tmp/kh'): " + trust),
        ("-o KnownHostsCommand=/bin/echo", "KnownHostsCommand ('-o KnownHostsCommand=/bin/echo'): " + trust),
        ("-o HostKeyAlias=trusted.example.org", "HostKeyAlias ('-o HostKeyAlias=trusted.example.org'): " + trust),
        ("-o VerifyHostKeyDNS=yes", "VerifyHostKeyDNS ('-o VerifyHostKeyDNS=yes'): it lets DNS vouch for a host key"),
        ("-o ControlPath=/tmp/master", "ControlPath ('-o ControlPath=/tmp/master'): a shared connection skips this connection's host key check"),
        ("-S /tmp/master", "-S ('-S /tmp/master'): a shared connection skips this connection's host key check"),
        ("-F /tmp/config", "-F ('-F /tmp/config'): another configuration file could turn host key checking off"),
        ("-F/tmp/config", "-F ('-F/tmp/config'): another configuration file could turn host key checking off"),
        ("-TF /tmp/config", "-F ('-TF /tmp/config'): another configuration file could turn host key checking off"),
        ("-o Include=/tmp/config", "Include ('-o Include=/tmp/config'): another configuration file could turn host key checking off"),
    ])
    func hostKeyCheckingCannotBeWeakened(_ text: String, _ message: String) {
        #expect(throws: SshTarget.OptionsError(message: "XENPLAN_SSH_OPTIONS may not set " + message)) {
            try SshTarget.options(fromEnvironment: text, knownHosts: nil)
        }
    }

    @Test(arguments: [
        ("root@elsewhere", "XENPLAN_SSH_OPTIONS must hold ssh options such as '-i KEY -o IdentitiesOnly=yes', not 'root@elsewhere'"),
        (
            "-i /k evil.example.org",
            "XENPLAN_SSH_OPTIONS holds 'evil.example.org', which is not an option or an option's value; ssh would read it as the host to connect to"
        ),
        (
            "-o 'Quoted=not special'",
            "XENPLAN_SSH_OPTIONS holds 'special\\'', which is not an option or an option's value; ssh would read it as the host to connect to"
        ),
        ("-i /k -- evil", "XENPLAN_SSH_OPTIONS holds '--', which is not an option or an option's value; ssh would read it as the host to connect to"),
        ("-i", "XENPLAN_SSH_OPTIONS ends with '-i', which needs a value"),
    ])
    func onlyOptions(_ text: String, _ message: String) {
        #expect(throws: SshTarget.OptionsError(message: message)) { try SshTarget.options(fromEnvironment: text, knownHosts: nil) }
    }

    /// `XENPLAN_SSH_KNOWN_HOSTS`: the one file trusted, if only its owner can change it.
    @Test func knownHostsFile() throws {
        let dir = try TemporaryDirectory.create("kh")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("known_hosts")
        try Data("[127.0.0.1]:2222 ssh-ed25519 AAAA\n".utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(
            try SshTarget.options(fromEnvironment: "-i /k", knownHosts: file.path)
                == ["-i", "/k", "-o", "UserKnownHostsFile=\(file.path)", "-o", "GlobalKnownHostsFile=/dev/null"])

        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: file.path)
        #expect(
            throws: SshTarget.OptionsError(message: "XENPLAN_SSH_KNOWN_HOSTS '\(file.path)' can be changed by other users (mode 666); chmod go-w it")
        ) {
            try SshTarget.options(fromEnvironment: nil, knownHosts: file.path)
        }
        #expect(throws: SshTarget.OptionsError(message: "XENPLAN_SSH_KNOWN_HOSTS '\(dir.path)' is not a regular file")) {
            try SshTarget.options(fromEnvironment: nil, knownHosts: dir.path)
        }
        #expect(throws: SshTarget.OptionsError(message: "XENPLAN_SSH_KNOWN_HOSTS '\(dir.path)/none' cannot be read (No such file or directory)")) {
            try SshTarget.options(fromEnvironment: nil, knownHosts: dir.path + "/none")
        }
        #expect(
            throws: SshTarget.OptionsError(
                message: "XENPLAN_SSH_KNOWN_HOSTS 'known_hosts' is not an absolute path without spaces or shell characters")
        ) {
            try SshTarget.options(fromEnvironment: nil, knownHosts: "known_hosts")
        }
    }
}
