import Agent
import Foundation
import Testing

/// What `make deb` ships besides the binary: the agent's policy file, commented out.
@Suite struct DebianPackageTests {
    static let policyPath = Repository.path("packaging/deb/agent.yaml")

    /// Installed as /etc/xenplan/agent.yaml, it changes nothing on a dom0: the closed
    /// default, as without the file.
    @Test func theShippedAgentPolicyIsTheClosedDefault() throws {
        let policy = try AgentPolicy.load(path: Self.policyPath, whenAbsent: .open())
        var closed = AgentPolicy.closed(path: Self.policyPath)
        closed.fromFile = true
        #expect(policy == closed)
    }

    /// Its commented example, uncommented, is a policy the agent accepts.
    @Test func theShippedExampleIsAValidPolicy() throws {
        let text = try String(contentsOfFile: Self.policyPath, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.hasPrefix("# An example") })
        let example = lines[(start + 1)...].filter { $0.hasPrefix("# ") }.map { $0.dropFirst(2) }.joined(separator: "\n")
        let policy = try AgentPolicy.parse(example, path: "example")
        #expect(policy.volumeGroups == ["vg18", "san"])
        #expect(policy.imageDirectories == ["/srv/xen-images"])
        #expect(policy.imageSources == ["/var/lib/xenplan/images", "/srv/golden"])
        #expect(policy.devices == ["/dev/disk/by-id/wwn-0x5000c500a1b2c3d4", "/dev/mapper/backup-*"])
        #expect(policy.readOnlyDevices == ["/dev/sr0"])
        #expect(policy.bridges == ["xenbr0": ["eth0"], "xenbr1": []])
    }
}
