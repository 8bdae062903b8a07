import Foundation
import HostModel
import Manifest
import Testing
import XenplanBasics

/// Swift Testing has a `SourceLocation` of its own.
private typealias Location = XenplanBasics.SourceLocation

/// Images, disks filled from them, and the first-boot identity of the domains that get a
/// seed. Line numbers of `lab` matter: locations are checked exactly.
struct ImageLabTests {
    static let alice = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIE6iocw13wx66GqJWRa756wbl1AnAf1FV+o69xv5ygM alice@laptop"
    static let admin =
        "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBCwYMS/MLBFCbSGZQ6ue/jefK/fVXSoWdEQ/+eEa+xi8LPP7Wf6VWWEfjozTlwxbOSV4WjnWd70SmzGRtQETPmA= admin@lab"
    static let bob = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE37JVH7bkrau9DPzdpzK9hxo5Xcb3nMPJ0bg7MLc8OY bob"
    static let hash = "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1"

    static let lab = """
        lab: img
        defaults:
          passwordHash: $6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1
          identityChanges: next-boot
        sshKeys:
          - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIE6iocw13wx66GqJWRa756wbl1AnAf1FV+o69xv5ygM alice@laptop
          - ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBCwYMS/MLBFCbSGZQ6ue/jefK/fVXSoWdEQ/+eEa+xi8LPP7Wf6VWWEfjozTlwxbOSV4WjnWd70SmzGRtQETPmA= admin@lab
        storage:
          nfs: {type: dir, path: /srv/xen-images/, hosts: [cpt18, cpt76], shared: true}
          local18: {type: lvm, volumeGroup: vg18, hosts: [cpt18]}
        hosts:
          cpt18: {connection: local, bridges: {xenbr0: {}}}
          cpt76: {connection: local, bridges: {xenbr0: {}}}
        images:
          debian: {path: golden/./debian-12.qcow2, format: qcow2, pool: nfs, sha256: 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08}
          alpine: {path: /srv/golden/alpine.raw, hosts: [cpt18]}
          tools: {path: /dev/vg18/tools-golden}
        domains:
          web:
            host: cpt18
            hostname: www.example.org
            sshKeys: [ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIE6iocw13wx66GqJWRa756wbl1AnAf1FV+o69xv5ygM alice@desktop, ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE37JVH7bkrau9DPzdpzK9hxo5Xcb3nMPJ0bg7MLc8OY bob]
            disks:
              - {name: root, size: 8G, vdev: xvda, source: {image: debian}}
              - {name: scratch, size: 1G, vdev: xvdb, pool: nfs, source: {image: alpine}}
            network:
              - {bridge: xenbr0, ip: 192.0.2.10, netmask: 255.255.255.0, gateway: 192.0.2.1, dns: [192.0.2.53, 192.0.2.54]}
              - {bridge: xenbr0}
          db:
            seed: false
            disks: [{name: root, size: 8G, vdev: xvda, source: {image: alpine}}]
          plain:
            host: cpt76
            disks: [{name: root, size: 4G, vdev: xvda}]
          cloud:
            seed: true
            identityChanges: first-boot
            disks: [{name: data, path: /dev/sdb, vdev: xvdb}]
            network: [{bridge: xenbr0, ip: 198.51.100.7, prefix: 25}]

        """

    private func at(_ line: Int, _ column: Int) -> Location { Location(file: "img/lab.yaml", line: line, column: column) }

    func load(_ text: String = Self.lab) throws -> LoadedLab {
        do {
            return try ManifestLoader.load(files: [("img/lab.yaml", Array(text.utf8))])
        } catch {
            Issue.record("unexpected diagnostics:\n\(error.diagnostics.map(\.description).joined(separator: "\n"))")
            throw error
        }
    }

    /// Every diagnostic, errors and warnings, of a lab that may not load.
    func diagnostics(_ text: String) -> [String] {
        do {
            return try ManifestLoader.load(files: [("img/lab.yaml", Array(text.utf8))]).warnings.map(\.description)
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    /// A distinct, well-formed ed25519 key: its blob names its type, then 32 bytes.
    static func key(_ n: Int) -> String {
        let type = Array("ssh-ed25519".utf8)
        let blob = [0, 0, 0, UInt8(type.count)] + type + [0, 0, 0, 32, UInt8(n / 256), UInt8(n % 256)] + [UInt8](repeating: 7, count: 30)
        return "ssh-ed25519 " + Data(blob).base64EncodedString() + " key\(n)"
    }

    @Test func imagesAreResolved() throws {
        let lab = try load().lab
        #expect(
            lab.images == [
                ImageSpec(
                    name: "alpine", path: "/srv/golden/alpine.raw", hosts: ["cpt18"],
                    locations: KeyLocations(object: at(16, 3), keys: ["path": at(16, 18), "hosts": at(16, 49)])),
                ImageSpec(
                    name: "debian", path: "/srv/xen-images/golden/debian-12.qcow2", format: .qcow2,
                    sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", hosts: ["cpt18", "cpt76"], pool: "nfs",
                    locations: KeyLocations(
                        object: at(15, 3),
                        keys: [
                            "path": at(15, 18), "format": at(15, 52), "pool": at(15, 65),
                            "sha256": at(15, 78),
                        ])),
                ImageSpec(
                    name: "tools", path: "/dev/vg18/tools-golden", hosts: ["cpt18", "cpt76"],
                    locations: KeyLocations(object: at(17, 3), keys: ["path": at(17, 17)])),
            ])
        #expect(lab.sshKeys == [Self.alice, Self.admin])
    }

    @Test func disksFilledFromImagesAndAddressingAreDecoded() throws {
        let web = try #require(try load().lab.domain("web"))
        #expect(
            web.disks == [
                DiskSpec(name: "root", size: .gib(8), vdev: "xvda", pool: "local18", image: "debian", location: at(24, 9)),
                DiskSpec(name: "scratch", size: .gib(1), vdev: "xvdb", pool: "nfs", image: "alpine", location: at(25, 9)),
            ])
        #expect(
            web.network == [
                NicSpec(
                    bridge: "xenbr0", ip: "192.0.2.10", prefix: 24, gateway: "192.0.2.1", dns: ["192.0.2.53", "192.0.2.54"],
                    location: at(27, 9)),
                NicSpec(bridge: "xenbr0", location: at(28, 9)),
            ])
        #expect(web.locations.keys["hostname"] == at(21, 15))
        #expect(web.locations.keys["sshKeys"] == at(22, 14))
    }

    @Test func identityIsMergedWithTheLabsKeysAndDefaults() throws {
        let lab = try load().lab
        #expect(
            lab.domain("web")?.identity
                == IdentitySpec(
                    seed: true, hostname: "www.example.org",
                    sshKeys: [Self.alice, Self.admin, Self.bob],  // alice@desktop is alice's key again
                    passwordHash: Self.hash, changes: .nextBoot))
        #expect(
            lab.domain("db")?.identity
                == IdentitySpec(
                    seed: false, hostname: "db", sshKeys: [Self.alice, Self.admin],
                    passwordHash: Self.hash, changes: .nextBoot))
        #expect(lab.domain("db")?.disks.first?.pool == "nfs", "no host: the pool every host reaches, where cpt18 has the image")
        #expect(
            lab.domain("plain")?.identity
                == IdentitySpec(
                    seed: false, hostname: "plain", sshKeys: [Self.alice, Self.admin],
                    passwordHash: Self.hash, changes: .nextBoot))
        #expect(
            lab.domain("cloud")?.identity
                == IdentitySpec(
                    seed: true, hostname: "cloud", sshKeys: [Self.alice, Self.admin],
                    passwordHash: Self.hash, changes: .firstBoot))
        #expect(lab.domain("cloud")?.network.first?.prefix == 25)
        #expect(try load().warnings.isEmpty)
    }

    @Test func aLabWithoutTheNewKeysHasNoImagesAndNoSeeds() throws {
        let lab = try ManifestLoader.load(files: TestLab.files).lab
        #expect(lab.images.isEmpty)
        #expect(lab.sshKeys.isEmpty)
        #expect(lab.domains.map(\.identity) == lab.domains.map { IdentitySpec(hostname: $0.name) })
    }

    @Test func labWideKeysOfSeveralFilesAreJoinedInFileOrder() throws {
        let more = "sshKeys:\n  - \(Self.bob)\n  - \(Self.admin)\n"
        let lab = try ManifestLoader.load(files: [("img/lab.yaml", Array(Self.lab.utf8)), ("img/more.yaml", Array(more.utf8))]).lab
        #expect(lab.sshKeys == [Self.alice, Self.admin, Self.bob])
        #expect(lab.domain("plain")?.identity.sshKeys == [Self.alice, Self.admin, Self.bob])
    }

    @Test func aClearTextPasswordIsRefusedAndNeverShown() {
        let text = Self.lab.replacingOccurrences(of: "  passwordHash: \(Self.hash)", with: "  passwordHash: \"S3cret pass!\"")
        let result = diagnostics(text)
        #expect(
            result == [
                "img/lab.yaml:3:17: error: passwordHash of defaults must be a crypt(3) hash such as $6$… (mkpasswd -m sha-512 or -m yescrypt); a clear-text password is never accepted"
            ])
        #expect(!result.joined().contains("S3cret"))
    }

    @Test func identityKeysWithoutASeedAreWarnedAbout() throws {
        let text =
            Self.lab + """
                  old:
                    hostname: old.example.org
                    network: [{bridge: xenbr0, ip: 192.0.2.30, prefix: 24, gateway: 192.0.2.1}]
                  off:
                    seed: false
                    sshKeys: [\(Self.bob)]
                    disks: [{name: root, size: 8G, vdev: xvdz, source: {image: alpine}}]

                """
        #expect(
            try load(text).warnings.map(\.description) == [
                "img/lab.yaml:41:15: warning: domain 'old' gets no first-boot seed (none of its disks is filled from an image; write seed: true if its system runs cloud-init), so these keys have no effect: hostname, prefix of interface 1, gateway of interface 1",
                "img/lab.yaml:45:14: warning: domain 'off' has seed: false, so these keys have no effect: sshKeys",
            ])
    }

    @Test func tooManyKeysAreRefused() {
        let own = (0..<65).map { "      - \(Self.key($0))" }.joined(separator: "\n")
        #expect(
            diagnostics(Self.lab + "  many:\n    seed: true\n    sshKeys:\n\(own)\n") == [
                "img/lab.yaml:43:7: error: sshKeys of domain 'many' lists 65 keys; at most 64 are accepted"
            ])
        let some = (0..<63).map { "      - \(Self.key($0))" }.joined(separator: "\n")
        #expect(
            diagnostics(Self.lab + "  many:\n    seed: true\n    sshKeys:\n\(some)\n") == [
                "img/lab.yaml:43:7: error: domain 'many' would accept 65 ssh keys with the lab's; at most 64 are accepted"
            ])
    }

    @Test func theContentHashCoversTheNewKeys() throws {
        let first = try load().lab.contentHash
        let edited = Self.lab.replacingOccurrences(of: "identityChanges: next-boot", with: "identityChanges: first-boot")
        #expect(try load(edited).lab.contentHash != first)
    }

    @Test func theSeedDeviceIsTheOneHostsAttach() {
        #expect(IdentitySpec.seedVdev == CloudInitSeed.vdev)
    }
}
