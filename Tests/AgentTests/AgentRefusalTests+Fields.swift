import Agent
import Foundation
import HostModel
import Testing
import XenplanBasics

/// The operations whose requests carry the most fields (image copies and seeds, hvm
/// configurations, cold-move copies, saves, backups and restores): read back exactly as
/// a client writes them, and each value that breaks a rule named by its path.
extension AgentRefusalTests {
    /// The new operations as a client writes them are read back exactly, and a value that
    /// breaks a rule is named by its path in the request.
    @Test func imagesAndSeedsAreCheckedFieldByField() throws {
        let copy = try AgentRequest.parse(Data(Self.perform(Self.copyImage(replacing: "", with: "")).utf8))
        #expect(
            copy.kind
                == .perform(
                    .createVolumeFromImage(
                        container: "vg18", name: "web2-root", size: .gib(8),
                        image: ImageSource(
                            name: "debian12", path: "/var/lib/xenplan/images/debian12.qcow2", format: "qcow2",
                            sha256: "3f2a6f5a0c1a9a8e7b1c3d5e7f90a1b2c3d4e5f60718293a4b5c6d7e8f901234"))))
        let seed = try AgentRequest.parse(Data(Self.perform(Self.writeSeed(replacing: "", with: "")).utf8))
        #expect(
            seed.kind
                == .perform(
                    .writeSeed(
                        CloudInitSeed(
                            domain: "web2", instanceId: "web2-0001", hostname: "web2.lab.example.org",
                            interfaces: [
                                .init(mac: "00:16:3e:78:20:62", addresses: ["139.124.7.62/24"], gateway: "139.124.7.1", dns: ["139.124.7.10"])
                            ],
                            sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHb3Jk0Jb0yQ6x6v6Lr5l9oB8pY2n0m4Zc0Vx8e7Xo2k admin@lab"],
                            passwordHash: "$6$salt$hash"))))
        for (line, message) in [
            (
                Self.copyImage(replacing: #""format":"qcow2""#, with: #""format":"vmdk""#),
                "operation.createVolumeFromImage.image.format: 'vmdk' is not one of raw, qcow2"
            ),
            (
                Self.writeSeed(replacing: "139.124.7.62/24", with: "139.124.7.62/33"),
                "operation.writeSeed._0.interfaces[0].addresses[0]: '139.124.7.62/33' is not an IPv4 address with its prefix length (192.0.2.10/24)"
            ),
            (
                Self.config(
                    replacing: #""nics":[]"#, with: #""nics":[],"seed":{"vdev":"xvdz","target":"/etc/shadow","identity":{"hostname":"web2"}}"#),
                "operation.writeConfig._0.seed.target: '/etc/shadow' is not /var/lib/xenplan/seed/web2.iso"
            ),
        ] {
            #expect(throws: ProtocolError(id: .number(7), .invalidField, message)) {
                try AgentRequest.parse(Data(Self.perform(line).utf8))
            }
        }
    }

    /// An hvm guest's configuration is read back exactly, and each device value that breaks
    /// a rule is named by its path.
    @Test func hvmGuestsAreCheckedFieldByField() throws {
        let request = try AgentRequest.parse(Data(Self.perform(Self.hvmConfig(replacing: "", with: "")).utf8))
        guard case let .perform(.writeConfig(config)) = request.kind else {
            Issue.record("not a writeConfig: \(request.kind)")
            return
        }
        #expect(config.boot == .firmware(.bios))
        #expect(config.hvm == DomainConfig.Hvm(bootOrder: [.cdrom, .disk], cdrom: "/srv/iso/tools.iso"))
        for (line, message) in [
            (
                Self.hvmConfig(replacing: "/srv/iso/tools.iso", with: "/srv/iso/../../etc/shadow"),
                "operation.writeConfig._0.hvm.cdrom: '/srv/iso/../../etc/shadow' is the root or has a '..' component"
            ),
            (
                Self.hvmConfig(replacing: #""listen":"127.0.0.1""#, with: #""listen":"localhost""#),
                "operation.writeConfig._0.hvm.vnc.listen: 'localhost' is not an IPv4 address"
            ),
            (
                Self.hvmConfig(replacing: #""boot":{"firmware":{"_0":"bios"}}"#, with: #""boot":{"pvgrub":{}}"#),
                "operation.writeConfig._0.boot: an hvm guest boots from its firmware, not from pvgrub"
            ),
            (
                Self.config(replacing: #""nics":[]"#, with: #""nics":[{"bridge":"xenbr0","rate":"100M"}]"#),
                "operation.writeConfig._0.nics[0].rate: '100M' is not a rate like 10Mb/s"
            ),
            (
                Self.config(replacing: #""nics":[]"#, with: #""nics":[{"bridge":"xenbr0","vifname":"vif7.0"}]"#),
                "operation.writeConfig._0.nics[0].vifname: 'vif7.0' is not an interface name other than vifD.N"
            ),
        ] {
            #expect(throws: ProtocolError(id: .number(7), .invalidField, message)) {
                try AgentRequest.parse(Data(Self.perform(line).utf8))
            }
        }
    }

    /// A cold move's copies as a client writes them are read back exactly, and a value that
    /// breaks a rule is named by its path in the request.
    @Test func coldMoveCopiesAreCheckedFieldByField() throws {
        let send = try AgentRequest.parse(Data(Self.perform(Self.sendVolume(replacing: "", with: "")).utf8))
        #expect(
            send.kind
                == .perform(
                    .sendVolume(
                        VolumeTransfer(
                            domain: "web", container: "vg18", name: "web-root", size: .gib(8), toHost: "cpt76", toContainer: "vg76",
                            toName: "web-root"))))
        let receive = try AgentRequest.parse(Data(Self.perform(Self.receiveVolume(replacing: "", with: "")).utf8))
        #expect(receive.kind == .perform(.receiveVolume(container: "vg18", name: "web-root", size: .gib(8))))
        for (line, message) in [
            (
                Self.sendVolume(replacing: #""toHost":"cpt76""#, with: #""toHost":"-oProxyCommand=sh""#),
                "operation.sendVolume._0.toHost: '-oProxyCommand=sh' is not a host name"
            ),
            (
                Self.sendVolume(replacing: #""toName":"web-root""#, with: #""toName":"web-root_partial""#),
                "operation.sendVolume._0.toName: 'web-root_partial' ends in _partial, the suffix of a volume being copied"
            ),
            (
                Self.receiveVolume(replacing: #""container":"vg18""#, with: #""container":"/srv/images""#),
                "operation.receiveVolume.container: '/srv/images' is not a volume group name (1 to 127 of A-Z, a-z, 0-9, '+', '_', '.', '-', not starting with '-', not '.' or '..')"
            ),
        ] {
            #expect(throws: ProtocolError(id: .number(7), .invalidField, message)) {
                try AgentRequest.parse(Data(Self.perform(line).utf8))
            }
        }
    }

    /// The refusals of saves, backups and restores: each field's own rule refuses the
    /// request as it is read (before any session is looked at), but for the few that only
    /// the session's pools make wrong, which the agent refuses once greeted.
    @Test func savesBackupsAndRestoresAreCheckedFieldByField() throws {
        let kinds = ["save ", "restore ", "remove-save ", "backup ", "restore-volume "]
        let sessionOnly = [
            "save into a directory the hello did not name", "restore from a directory the hello did not name",
            "remove-save in a directory the hello did not name", "backup into a directory the hello did not name",
            "restore-volume from outside the hello's pools",
        ]
        for c in Self.cases where kinds.contains(where: c.name.hasPrefix) && c.code == .invalidField {
            guard case let .line(data) = c.event else { continue }
            if sessionOnly.contains(c.name) {
                #expect(throws: Never.self, "\(c.name)") { try AgentRequest.parse(data) }
            } else {
                #expect("\(c.name)", performing: { try AgentRequest.parse(data) }, throws: { ($0 as? ProtocolError)?.code == .invalidField })
            }
        }
        for (line, message) in [
            (Self.save("save", directory: "/srv/../etc"), "operation.save.directory: '/srv/../etc' is the root or has a '..' component"),
            (
                Self.backup(replacing: #""consistency":"pause""#, with: #""consistency":"crash""#),
                "operation.backup._0.consistency: 'crash' is not one of live, pause, shutdown, stopped"
            ),
            (Self.backup(replacing: #""keep":7"#, with: #""keep":0"#), "operation.backup._0.keep: the number of backups kept is 1 to 1000, not 0"),
            (
                Self.backup(replacing: #""poolKind":"lvm""#, with: #""poolKind":"dir""#),
                "operation.backup._0.disks[0].poolKind: 'dir' is not lvm, the kind of its container"
            ),
            (
                Self.backup(replacing: #""keep":7"#, with: #""keep":7,"config":"# + Self.config(replacing: "", with: "").dropFirst(21).dropLast(2)),
                "operation.backup._0.config.name: 'web2' is not the domain backed up, web"
            ),
            (
                Self.restoreVolume(replacing: #""id":"20261202T013000Z""#, with: #""id":"latest""#),
                "operation.restoreVolume.source.id: 'latest' is not a backup id (20261202T013000Z, optionally -N)"
            ),
        ] {
            #expect(throws: ProtocolError(id: .number(7), .invalidField, message)) {
                try AgentRequest.parse(Data(Self.perform(line).utf8))
            }
        }
    }

    /// Once greeted with its pools, the same requests are read and pass the session's
    /// checks: whatever the host then says, it is not a refused field.
    @Test func savesBackupsAndRestoresInTheSessionsPoolsPassItsChecks() async throws {
        let agent = try AgentFixture()
        let hello = #"{"type":"hello","id":0,"versions":[2],"host":"cpt18","imageDirectories":["/srv/backup"],"volumeGroups":["vg18"]}"#
        #expect(await agent.send(hello).first?.type == "hello")
        for operation in [
            Self.save("save"), Self.save("save", directory: "/srv/backup/"), Self.save("restore", directory: "/srv/backup"),
            Self.save("removeSave"), Self.backup(replacing: "", with: ""), Self.restoreVolume(replacing: "", with: ""),
        ] {
            let answer = await agent.send(Self.perform(operation)).first
            #expect(answer?.code != .invalidField, "\(operation): \(answer?.message ?? "")")
        }
    }
}
