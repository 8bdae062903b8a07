import Foundation
import Testing
import XenplanBasics

/// The rules for what a guest is told at first boot, shared by the manifest loader and
/// the agent.
struct SyntaxIdentityTests {
    static let ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIE6iocw13wx66GqJWRa756wbl1AnAf1FV+o69xv5ygM alice@laptop"

    /// A key line whose blob names `inBody` and carries `payload` bytes after it.
    static func key(_ type: String, inBody: String? = nil, payload: Int = 32) -> String {
        let name = Array((inBody ?? type).utf8)
        let blob = [0, 0, 0, UInt8(name.count)] + name + [UInt8](repeating: 1, count: payload)
        return type + " " + Data(blob).base64EncodedString()
    }

    @Test(arguments: [
        ed25519,
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDBZH1tOr6aLLoj7qvFrKW6ZXcpCHdHvzXBrwC426Sp7yXMIm4CC78oniXVxCcVZtzEZLeZxyNYpt1mYOR1SGhOzFMF5jkOn9BSzM4OFG21TboL5fXcRBQ65DGw7sba3+FtCoHZLUWzFWAr4JRXl7Cu0o7M1hY4ONbPG62fHc2HTw==",
        "ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAGg5CVqcevQY590A2dBl93y6azG1nAgB3DSQvsGocehZXQyj5DHWeGYlLGySYqUBhu7KAOjdT4dHvdXWWecsD5SRwH18jR+ID9VxhVOiyOvFiHHLNgiefSLAV3kB+2xjGnPXPB064RYnfHlx1hkOXo8G1UWC9VyKbBTQB+4uvm5vq2gZw== x",
        "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBCwYMS/MLBFCbSGZQ6ue/jefK/fVXSoWdEQ/+eEa+xi8LPP7Wf6VWWEfjozTlwxbOSV4WjnWd70SmzGRtQETPmA= admin@lab",
        key("sk-ssh-ed25519@openssh.com") + " yubikey 5 (desk)",
        key("sk-ecdsa-sha2-nistp256@openssh.com"),
        key("ecdsa-sha2-nistp384"),
    ])
    func wellFormedKeysPass(_ key: String) {
        #expect(Syntax.sshKeyProblem(key) == nil)
    }

    @Test func eachProblemIsNamed() {
        let body = "AAAAC3NzaC1lZDI1NTE5AAAAIIE6iocw13wx66GqJWRa756wbl1AnAf1FV+o69xv5ygM"
        #expect(Syntax.sshKeyProblem("ssh-ed25519 " + body + " " + String(repeating: "x", count: 16 * 1024)) == .tooLong)
        #expect(Syntax.sshKeyProblem("ssh-ed25519 " + body + " a\nssh-ed25519 " + body) == .controlCharacter)
        #expect(Syntax.sshKeyProblem("ssh-ed25519 " + body + " a\u{7f}") == .controlCharacter)
        #expect(Syntax.sshKeyProblem("ssh-ed25519 " + body + " josé") == .notASCII)
        #expect(Syntax.sshKeyProblem("ssh-dss " + body) == .unknownType("ssh-dss"))
        #expect(Syntax.sshKeyProblem("command=\"reboot\" ssh-ed25519 " + body) == .unknownType("command=\"reboot\""))
        #expect(Syntax.sshKeyProblem("ssh-ed25519") == .noBody)
        #expect(Syntax.sshKeyProblem("ssh-ed25519  " + body) == .noBody)
        #expect(Syntax.sshKeyProblem("ssh-ed25519 " + body.dropLast()) == .badBody, "not a multiple of 4")
        #expect(Syntax.sshKeyProblem("ssh-ed25519 AAAA*AAA") == .badBody)
        #expect(Syntax.sshKeyProblem("ssh-ed25519 AA==AAAA") == .badBody, "padding inside")
        #expect(Syntax.sshKeyProblem("ssh-ed25519 AAAA") == .badBody, "too short to name a type")
        let cutShort = Data([0, 0, 0, 11] + Array("ssh-e".utf8)).base64EncodedString()
        #expect(Syntax.sshKeyProblem("ssh-ed25519 " + cutShort) == .badBody, "the type is cut short")
        #expect(Syntax.sshKeyProblem("ssh-rsa " + body) == .typeMismatch(declared: "ssh-rsa", inBody: "ssh-ed25519"))
    }

    @Test func problemsReadAsReasons() {
        #expect(
            Syntax.SSHKeyProblem.unknownType("ssh-dss").description
                == "its type 'ssh-dss' is not one of ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com"
        )
        #expect(Syntax.SSHKeyProblem.tooLong.description == "it is longer than 16 KiB")
    }

    @Test func theMaterialOfAKeyLeavesOutItsComment() {
        #expect(Syntax.sshKeyMaterial(Self.ed25519) == "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIE6iocw13wx66GqJWRa756wbl1AnAf1FV+o69xv5ygM")
        #expect(Syntax.sshKeyMaterial("ssh-ed25519 AAAA") == "ssh-ed25519 AAAA")
    }

    @Test(arguments: [
        ("$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1", true),
        ("$6$rounds=5000$salt$hash", true),
        ("$y$j9T$F5Jx5fExrKuPp53xLKQ..$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7", true),
        ("$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", true),
        ("$1$salt$hash", true),
        ("$sha1$40000$salt$hash", true),
        ("hunter2", false),
        ("$6$onlysalt", false),
        ("$6$salt$", false),
        ("$9$salt$hash", false),
        ("$6$salt$has h", false),
        ("$6$salt$hash;reboot", false),
        ("6$salt$hash", false),
        ("", false),
        ("$6$salt$" + String(repeating: "a", count: 512), false),
    ])
    func passwordHashes(_ text: String, _ accepted: Bool) {
        #expect(Syntax.isPasswordHash(text) == accepted)
    }

    @Test(arguments: [
        ("web", true), ("www.example.org", true), ("Web-1", true), ("a", true), ("1web", true),
        (String(repeating: "a", count: 63) + ".org", true),
        (String(repeating: "a", count: 64) + ".org", false),
        (Array(repeating: String(repeating: "a", count: 62), count: 4).joined(separator: "."), true),
        (Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: "."), false),
        ("web_1", false), ("-web", false), ("web-", false), ("web-.org", false), ("web..org", false),
        ("web.org.", false), (".web", false), ("192.0.2.1", false), ("", false), ("wéb", false),
    ])
    func guestHostNames(_ name: String, _ accepted: Bool) {
        #expect(Syntax.isGuestHostName(name) == accepted)
    }

    @Test func netmasksAndNetworks() {
        #expect(Syntax.prefixLength(netmask: "255.255.255.0") == 24)
        #expect(Syntax.prefixLength(netmask: "255.255.254.0") == 23)
        #expect(Syntax.prefixLength(netmask: "255.255.255.255") == 32)
        #expect(Syntax.prefixLength(netmask: "0.0.0.0") == 0)
        #expect(Syntax.prefixLength(netmask: "128.0.0.0") == 1)
        #expect(Syntax.prefixLength(netmask: "255.0.255.0") == nil)
        #expect(Syntax.prefixLength(netmask: "0.255.255.255") == nil)
        #expect(Syntax.prefixLength(netmask: "255.255.255.256") == nil)
        #expect(Syntax.prefixLength(netmask: "24") == nil)
        #expect(Syntax.ipv4Network("192.0.2.130", prefix: 25) == "192.0.2.128/25")
        #expect(Syntax.ipv4Network("192.0.2.10", prefix: 0) == "0.0.0.0/0")
        #expect(Syntax.ipv4Network("192.0.2.10", prefix: 32) == "192.0.2.10/32")
        #expect(Syntax.ipv4Network("192.0.2.010", prefix: 24) == nil)
        #expect(Syntax.ipv4Value("10.0.0.1") == 0x0a00_0001)
    }
}
