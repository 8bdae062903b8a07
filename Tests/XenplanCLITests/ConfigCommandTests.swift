import Foundation
import Testing
import XenplanTestSupport

/// `xenplan config`: the file a declared domain gets, exactly; and an hvm and a pvh guest
/// through apply, plan and import on the simulated lab.
@Suite struct ConfigCommandTests {
    static let guests = """
        domains:
          desk:
            host: cpt18
            type: hvm
            memory: 1G
            firmware: uefi
            bootOrder: [cdrom, disk]
            cdrom: {path: /srv/iso/debian-12.iso}
            viridian: true
            disks: [{name: root, size: 8G, vdev: hda, pool: cpt18-local}]
            network: [{bridge: xenbr0, mac: "00:16:3e:78:30:01", rate: 100Mb/s, vifname: desk-lan}]
          light:
            host: cpt76
            type: pvh
            boot: pvgrub
            disks: [{name: root, size: 2G, vdev: xvda, pool: cpt76-local}]
            network: [{bridge: xenbr0, mac: "00:16:3e:78:30:02"}]

        """

    /// The example lab with `guests` beside it, and a copy of the simulated hosts.
    static func lab() throws -> (lab: URL, state: URL) {
        let state = try Repository.copyOfCommittedState()
        let lab = try TemporaryDirectory.create("config")
        for file in try FileManager.default.contentsOfDirectory(atPath: Repository.root.appendingPathComponent("examples/lab").path) {
            try FileManager.default.copyItem(
                at: Repository.root.appendingPathComponent("examples/lab/\(file)"), to: lab.appendingPathComponent(file))
        }
        try guests.write(to: lab.appendingPathComponent("guests.yaml"), atomically: true, encoding: .utf8)
        return (lab, state)
    }

    @Test func theFileOfAnHvmGuest() throws {
        let (lab, state) = try Self.lab()
        defer {
            try? FileManager.default.removeItem(at: lab)
            try? FileManager.default.removeItem(at: state)
        }
        let result = try Binary.run(["config", "desk", lab.path, "--state-dir", state.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "# desk on host cpt18: /etc/xen/xenplan/desk.cfg\n")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "# Written by xenplan. Changes here are overwritten by the next apply.")
        #expect(
            Array(lines.drop { !$0.hasPrefix("type = ") }) == [
                "type = \"hvm\"", "memory = 1024", "maxmem = 1024", "vcpus = 1", "maxvcpus = 1", "cpu_weight = 256", "cap = 0",
                "bios = \"ovmf\"", "boot = \"dc\"", "viridian = 1", "vnc = 1", "vnclisten = \"127.0.0.1\"", "serial = \"pty\"",
                "disk = [", "    'format=raw, vdev=hda, access=rw, target=/dev/vg18/desk-root',",
                "    'format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/srv/iso/debian-12.iso',", "]",
                "vif = [", "    'bridge=xenbr0,mac=00:16:3e:78:30:01,rate=100Mb/s,vifname=desk-lan',", "]",
                "on_poweroff = \"destroy\"", "on_reboot = \"restart\"", "on_crash = \"restart\"", "",
            ])
    }

    @Test func anUndeclaredDomainIsAnError() throws {
        let (lab, state) = try Self.lab()
        defer {
            try? FileManager.default.removeItem(at: lab)
            try? FileManager.default.removeItem(at: state)
        }
        let result = try Binary.run(["config", "dsek", lab.path, "--state-dir", state.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("dsek is not declared in \(lab.path); did you mean 'desk'?"), "\(result.stderr)")
    }

    /// Created, then planned again (nothing to do: the CD-ROM is not taken for a disk),
    /// then imported back as the manifests said.
    @Test func hvmAndPvhGuestsConvergeAndImportBack() throws {
        let (lab, state) = try Self.lab()
        defer {
            try? FileManager.default.removeItem(at: lab)
            try? FileManager.default.removeItem(at: state)
        }
        let apply = try Binary.run(
            ["apply", lab.path, "--auto-approve", "--domain", "desk", "--domain", "light", "--state-dir", state.path])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let plan = try Binary.run(["plan", lab.path, "--domain", "desk", "--domain", "light", "--detailed-exitcode", "--state-dir", state.path])
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        let imported = try Binary.run(["import", "--host", "cpt18", lab.path, "--state-dir", state.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(
            imported.stdout.contains(
                """
                  desk:
                    host: cpt18
                    memory: 1G
                    maxmem: 1G
                    vcpus: 1
                    maxvcpus: 1
                    cpu: {weight: 256, cap: 0}
                    type: hvm
                    firmware: uefi
                    bootOrder: [cdrom, disk]
                    cdrom: {path: "/srv/iso/debian-12.iso"}
                    vnc: {listen: 127.0.0.1}
                    serial: pty
                    viridian: true
                    disks:
                      - {name: root, size: 8G, vdev: hda, pool: cpt18-local}
                    network:
                      - {bridge: xenbr0, mac: "00:16:3e:78:30:01", rate: 100Mb/s, vifname: "desk-lan"}
                """), "\(imported.stdout)")
        let light = try Binary.run(["import", "--host", "cpt76", lab.path, "--state-dir", state.path])
        #expect(light.stdout.contains("    type: pvh\n    boot: pvgrub\n"), "\(light.stdout)")
    }
}
