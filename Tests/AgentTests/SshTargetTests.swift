import Agent
import Testing

/// The argument vector handed to `ssh`: fixed safety options first (ssh keeps the first
/// value of an option, so nothing later can turn them off), never a shell.
struct SshTargetTests {
    @Test func argumentVector() {
        let target = SshTarget(user: "root", address: "cpt18.example.org", port: 2222, agentCommand: "/usr/local/bin/xenplan",
                               extraOptions: ["-o", "UserKnownHostsFile=/tmp/kh", "-i", "/tmp/key"])
        #expect(target.arguments == [
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
        ("-o UserKnownHostsFile=/tmp/x -i /tmp/key", ["-o", "UserKnownHostsFile=/tmp/x", "-i", "/tmp/key"]),
        ("  -i\t/tmp/key  ", ["-i", "/tmp/key"]),
        ("", []),
        ("-o 'Quoted=not special'", ["-o", "'Quoted=not", "special'"]),
    ])
    func optionsFromTheEnvironment(_ text: String, _ expected: [String]) throws {
        #expect(try SshTarget.options(fromEnvironment: text) == expected)
    }

    @Test func optionsMustStartWithAnOption() throws {
        #expect(throws: SshTarget.OptionsError.self) { try SshTarget.options(fromEnvironment: "root@elsewhere") }
        #expect(try SshTarget.options(fromEnvironment: nil) == [])
    }
}
