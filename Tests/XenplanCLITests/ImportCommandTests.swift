import Foundation
import Testing
import XenplanTestSupport

@Suite struct ImportCommandTests {
    /// Imports cpt76 of the committed simulated lab, puts the result next to the lab's
    /// hosts and storage, and checks it validates and plans without changing any domain:
    /// the only action is adopting the one domain xenplan did not create.
    @Test func importedManifestsValidateAndPlanNoChanges() throws {
        let state = try Repository.copyOfCommittedState()
        let lab = try TemporaryDirectory.create("import")
        defer {
            try? FileManager.default.removeItem(at: state)
            try? FileManager.default.removeItem(at: lab)
        }
        let imported = try Binary.run(["import", "--host", "cpt76", "examples/lab", "--state-dir", state.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("# Domains of host cpt76 (Xen 4.17.7), printed by `xenplan import`.\n"))
        #expect(
            imported.stdout.contains(
                """
                  ns2:
                    host: cpt76
                    memory: 256M
                    maxmem: 512M
                    vcpus: 1
                    maxvcpus: 2
                    cpu: {weight: 512, cap: 0}
                    boot: pygrub
                    disks:
                      - {name: root, size: 5G, vdev: xvda2, pool: san}
                      - {name: swap, size: 512M, vdev: xvda1, pool: san}
                    network:
                      - {bridge: xenbr0, ip: 139.124.7.11, mac: "00:16:3e:78:20:11"}
                    protect: true
                """))

        for file in ["lab.yaml", "hosts.yaml"] {
            try FileManager.default.copyItem(
                at: Repository.root.appendingPathComponent("examples/lab/\(file)"),
                to: lab.appendingPathComponent(file))
        }
        try imported.stdout.write(to: lab.appendingPathComponent("cpt76.yaml"), atomically: true, encoding: .utf8)

        let validated = try Binary.run(["validate", lab.path])
        #expect(validated.status == 0, "\(validated.stderr)")
        #expect(validated.stdout.contains("2 hosts, 5 domains"))

        let plan = try Binary.run(["plan", lab.path, "--host", "cpt76", "--state-dir", state.path])
        #expect(plan.status == 0, "\(plan.stderr)")
        let actions = plan.stdout.split(separator: "\n").filter { line in
            ["+ ", "~ ", "→ ", "- "].contains { line.trimmingCharacters(in: .whitespaces).hasPrefix($0) }
        }
        #expect(actions.count == 1, "\(plan.stdout)")
        #expect(actions.first?.contains("tmpbox") == true && actions.first?.contains("adopt") == true, "\(plan.stdout)")
    }

    @Test func unknownHostIsAnError() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let result = try Binary.run(["import", "--host", "nosuch", "examples/lab", "--state-dir", state.path])
        #expect(result.status == 1)
        #expect(result.stderr == "error: --host 'nosuch': no such host in examples/lab (hosts: cpt18, cpt76)\n")
    }

    /// On a machine that is not a dom0, `connection: local` fails at once with a message
    /// saying so, and exit status 1.
    @Test(.enabled(if: !FileManager.default.fileExists(atPath: "/dev/xen/privcmd")))
    func localConnectionOffADom0FailsClearly() throws {
        let lab = try TemporaryDirectory.create("local")
        defer { try? FileManager.default.removeItem(at: lab) }
        try """
        lab: here
        storage:
          local: {type: lvm, volumeGroup: vg0, hosts: [here]}
        hosts:
          here:
            connection: local
            bridges: {xenbr0: {interface: eth0}}
        domains: {}
        """.write(to: lab.appendingPathComponent("lab.yaml"), atomically: true, encoding: .utf8)
        let result = try Binary.run(["import", "--host", "here", lab.path])
        #expect(result.status == 1)
        #expect(result.stderr == "error: host here: cannot reach the hypervisor (no /dev/xen/privcmd): is this a Xen dom0?\n")
    }
}
