import Foundation
import HostModel
import Testing
import XenplanBasics

@testable import XenDriver

/// `write-seed`: the exact `genisoimage` run, the disk put in place whole and private, no
/// working file left whatever happens; and the seeds an observation lists.
@Suite struct SeedOperationTests {
    static let seed = SeedFileTests.web

    /// The private directory the files were written in, from `genisoimage`'s argument vector.
    static func workspace(_ argv: [String]) -> String? {
        argv.firstIndex(of: "-output").map { (argv[$0 + 1] as NSString).deletingLastPathComponent }
    }

    /// Everything beside the seed directory: the private directories must be gone.
    static func besideSeeds(_ h: DriverHarness) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: (h.paths.seedDirectory as NSString).deletingLastPathComponent).sorted()
    }

    @Test func theSeedIsBuiltAndPutInPlacePrivately() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        try await h.driver.perform(.writeSeed(Self.seed))
        let argv = try #require(h.runner.commands.first)
        let workspace = try #require(Self.workspace(argv))
        let parent = (h.paths.seedDirectory as NSString).deletingLastPathComponent
        #expect((workspace as NSString).deletingLastPathComponent == parent)
        #expect((workspace as NSString).lastPathComponent.hasPrefix(".seed-conf-web."))
        #expect(
            h.runner.commands == [
                [
                    "genisoimage", "-quiet", "-output", workspace + "/seed.iso", "-volid", "cidata", "-joliet", "-rock", "-graft-points",
                    "user-data=\(workspace)/user-data", "meta-data=\(workspace)/meta-data", "network-config=\(workspace)/network-config",
                ]
            ])
        let path = h.paths.seedDirectory + "/conf-web.iso"
        #expect(
            try String(contentsOfFile: path, encoding: .utf8)
                == "cidata\n== user-data\n\(Self.seed.userData)== meta-data\n\(Self.seed.metaData)== network-config\n\(Self.seed.networkConfig)")
        var st = stat()
        #expect(stat(path, &st) == 0 && st.st_mode & 0o777 == 0o600, "it holds the password hash")
        #expect(stat(h.paths.seedDirectory, &st) == 0 && st.st_mode & 0o777 == 0o700)
        #expect(try Self.besideSeeds(h) == ["seed"], "no private directory left")
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.paths.seedDirectory) == ["conf-web.iso"])

        // Written again: replaced whole.
        var next = Self.seed
        next.instanceId = "conf-web-0002"
        try await h.driver.perform(.writeSeed(next))
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("instance-id: \"conf-web-0002\""))
        #expect(try Self.besideSeeds(h) == ["seed"])
    }

    @Test func aMissingGenisoimageIsNamedWithItsPackage() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        h.tools.uninstall("genisoimage")
        await #expect { try await h.driver.perform(.writeSeed(Self.seed)) } throws: { error in
            (error as? HostError)?.description
                == "host cpt18: write-seed of domain conf-web failed: genisoimage not found on cpt18: install the genisoimage package"
        }
        #expect(try Self.besideSeeds(h) == ["seed"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.paths.seedDirectory) == [])
    }

    @Test func aFailingGenisoimageLeavesNothing() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        h.runner.respond(to: ["genisoimage"], with: CommandResult(status: 1, stderr: "genisoimage: No space left on device.\n"))
        await #expect { try await h.driver.perform(.writeSeed(Self.seed)) } throws: { error in
            (error as? HostError)?.message.hasSuffix("exited with status 1: genisoimage: No space left on device.") == true
        }
        #expect(try Self.besideSeeds(h) == ["seed"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.paths.seedDirectory) == [])
    }

    static func changed(_ change: (inout CloudInitSeed) -> Void) -> CloudInitSeed {
        var seed = seed
        change(&seed)
        return seed
    }

    /// Values that could add a line to a file cloud-init reads are refused before anything
    /// is written or run.
    @Test(arguments: [
        (
            changed { $0.hostname = "web\nruncmd: [reboot]" },
            "hostname: 'web\\nruncmd: [reboot]' is not a host name (labels of 1 to 63 of a-z, A-Z, 0-9, '-', joined by '.', at most 253 bytes)"
        ),
        (
            changed { $0.hostname = "-web" },
            "hostname: '-web' is not a host name (labels of 1 to 63 of a-z, A-Z, 0-9, '-', joined by '.', at most 253 bytes)"
        ),
        (
            changed { $0.instanceId = "i d" },
            "instanceId: 'i d' is not an instance id (1 to 128 of A-Z, a-z, 0-9, '.', '_', ':', '-', not starting with '-')"
        ),
        (
            changed { $0.sshKeys = [SeedFileTests.key1 + "\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEvil intruder"] },
            "sshKeys[0]: '\(String(SeedFileTests.key1.prefix(48)))…' is refused: it holds a line break or another control character; write one key per list item"
        ),
        (
            changed { $0.sshKeys = ["command=\"/bin/sh\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEvil x"] },
            "sshKeys[0]: 'command=\"/bin/sh\" ssh-ed25519 AAAAC3NzaC1lZDI1NT…' is refused: its type 'command=\"/bin/sh\"' is not one of ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com"
        ),
        (
            changed { $0.interfaces[0].mac = "00:16:3E:78:20:60" },
            "interfaces[0].mac: '00:16:3E:78:20:60' is not a lower-case unicast MAC address (xx:xx:xx:xx:xx:xx)"
        ),
        (
            changed { $0.interfaces[1].mac = "01:16:3e:78:20:61" },
            "interfaces[1].mac: '01:16:3e:78:20:61' is not a lower-case unicast MAC address (xx:xx:xx:xx:xx:xx)"
        ),
        (
            changed { $0.interfaces[0].addresses = ["139.124.7.60/33"] },
            "interfaces[0].addresses[0]: '139.124.7.60/33' is not an IPv4 address with its prefix length (192.0.2.10/24)"
        ),
        (
            changed { $0.interfaces[0].addresses = ["139.124.7.60"] },
            "interfaces[0].addresses[0]: '139.124.7.60' is not an IPv4 address with its prefix length (192.0.2.10/24)"
        ),
        (changed { $0.interfaces[0].gateway = "139.124.7.1\n" }, "interfaces[0].gateway: '139.124.7.1\\n' is not an IPv4 address"),
        (changed { $0.interfaces[0].dns = ["139.124.7.10", "ns.example.org"] }, "interfaces[0].dns[1]: 'ns.example.org' is not an IPv4 address"),
        (
            changed { $0.passwordHash = "secret password" },
            "passwordHash: not a crypt(3) hash ('$' then at most 511 of A-Z, a-z, 0-9, '.', '/', '$', '=', ',', '+', '-')"
        ),
    ])
    func hostileSeedValuesAreRefusedBeforeAnythingRuns(_ seed: CloudInitSeed, _ message: String) async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        await #expect { try await h.driver.perform(.writeSeed(seed)) } throws: { error in
            (error as? HostError)?.message == message
        }
        #expect(h.runner.commands.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: h.paths.seedDirectory))
    }

    @Test func removingTheConfigurationRemovesTheSeed() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        try await h.driver.perform(.writeSeed(Self.seed))
        try await h.driver.perform(.writeConfig(XlConfigSeedTests.seeded))
        #expect(try await h.driver.observe().seeds == ["conf-web"])
        try await h.driver.perform(.removeConfig(name: "conf-web"))
        #expect(!FileManager.default.fileExists(atPath: h.paths.seedDirectory + "/conf-web.iso"))
        #expect(try await h.driver.observe().seeds == [])
        // Nothing to remove is no error.
        try await h.driver.perform(.removeConfig(name: "conf-web"))
    }

    @Test func seedsAreTheDomainNamedIsoFiles() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        #expect(try await h.driver.observe().seeds == [], "no seed directory yet")
        let dir = h.paths.seedDirectory
        try FileManager.default.createDirectory(atPath: dir + "/dir.iso", withIntermediateDirectories: true)
        for name in ["web.iso", "ns1.iso", "Bad Name.iso", "notes.txt", ".iso"] {
            _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data())
        }
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.iso", withDestinationPath: dir + "/web.iso")
        let state = try await h.driver.observe()
        #expect(state.seeds == ["ns1", "web"])
        #expect(state.config(named: "conf-web") == nil)
    }

    @Test func theSeedLineOfAConfigurationIsObserved() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        try await h.driver.perform(.writeConfig(XlConfigSeedTests.seeded))
        let config = try #require(try await h.driver.observe().config(named: "conf-web"))
        #expect(config.seed == XlConfigSeedTests.seeded.seed)
        #expect(config.disks == XlConfigSeedTests.seeded.disks)
    }
}
