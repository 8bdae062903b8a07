import Agent
import Foundation
import Testing
import XenplanTestSupport

/// The ssh command `xenplan console` becomes: a terminal, the agent's host key rules,
/// never `BatchMode` (a passphrase may be typed), the domain as the last word.
struct SshConsoleTests {
    static let ssh = URL(fileURLWithPath: "/usr/bin/ssh")

    @Test func portUserAndExtraOptions() throws {
        let target = SshTarget(
            user: "root", address: "cpt18.example.org", port: 2222, agentCommand: "/usr/local/bin/xenplan",
            extraOptions: ["-i", "/etc/xenplan/id_ed25519", "-o", "IdentitiesOnly=yes", "-J", "admin@bastion"])
        #expect(
            try SshConsole(target: target, domain: "www").argv(ssh: Self.ssh) == [
                "/usr/bin/ssh", "-t",
                "-o", "StrictHostKeyChecking=yes", "-o", "ForwardAgent=no", "-o", "ForwardX11=no", "-o", "ClearAllForwardings=yes",
                "-i", "/etc/xenplan/id_ed25519", "-o", "IdentitiesOnly=yes", "-J", "admin@bastion",
                "-o", "ConnectTimeout=15", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3",
                "-p", "2222", "--", "root@cpt18.example.org", "xl", "console", "www",
            ])
    }

    @Test func ipv6WithoutUserOrPort() throws {
        let target = SshTarget(user: nil, address: "[fd00::18]", port: nil)
        #expect(
            try SshConsole(target: target, domain: "ns1.lab").argv(ssh: Self.ssh) == [
                "/usr/bin/ssh", "-t",
                "-o", "StrictHostKeyChecking=yes", "-o", "ForwardAgent=no", "-o", "ForwardX11=no", "-o", "ClearAllForwardings=yes",
                "-o", "ConnectTimeout=15", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3",
                "--", "fd00::18", "xl", "console", "ns1.lab",
            ])
    }

    /// `XENPLAN_SSH_KNOWN_HOSTS` reaches the console through the target's options, as it
    /// reaches the agent's connection; and nothing makes the console non-interactive.
    @Test func knownHostsFileAndNoBatchMode() throws {
        let folder = try TemporaryDirectory.create("console-kh")
        defer { try? FileManager.default.removeItem(at: folder) }
        let knownHosts = folder.appendingPathComponent("known_hosts")
        try "".write(to: knownHosts, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: knownHosts.path)
        let options = try SshTarget.options(fromEnvironment: "-o IdentitiesOnly=yes", knownHosts: knownHosts.path)
        let target = SshTarget(user: "admin", address: "192.0.2.18", port: 22, extraOptions: options)
        let argv = try SshConsole(target: target, domain: "ldap").argv(ssh: Self.ssh)
        #expect(
            argv == [
                "/usr/bin/ssh", "-t",
                "-o", "StrictHostKeyChecking=yes", "-o", "ForwardAgent=no", "-o", "ForwardX11=no", "-o", "ClearAllForwardings=yes",
                "-o", "IdentitiesOnly=yes",
                "-o", "UserKnownHostsFile=\(knownHosts.path)", "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "ConnectTimeout=15", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3",
                "-p", "22", "--", "admin@192.0.2.18", "xl", "console", "ldap",
            ])
        #expect(!argv.contains { $0.lowercased().contains("batchmode") })
    }

    /// The remote shell reads the command: only a name of the name rule gets on it.
    @Test(arguments: ["www; reboot", "-o", "", "WWW", "a b", "x$(id)"])
    func refusesWhatIsNotADomainName(_ name: String) {
        let target = SshTarget(user: "root", address: "cpt18.example.org", port: nil)
        #expect(throws: SshConsole.NotADomainName(name: name)) { try SshConsole(target: target, domain: name) }
    }

    @Test func refusalMessage() {
        #expect(
            SshConsole.NotADomainName(name: "www; reboot").description
                == "'www; reboot' is not a domain name: it is not put on a remote command line")
    }
}
