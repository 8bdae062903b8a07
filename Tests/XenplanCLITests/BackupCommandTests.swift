import Foundation
import Testing
import XenplanTestSupport

/// `backup`, `backups` and `restore` end to end on simulated hosts, through the binary.
@Suite struct BackupCommandTests {
    static let manifests = """
        lab: backuplab
        format: 1
        defaults: {memory: 128M, vcpus: 1, boot: {kernel: /boot/vmlinuz}}
        storage:
          local: {type: lvm, volumeGroup: vga, hosts: [a]}
          backup: {type: dir, path: /srv/backup, hosts: [a]}
        hosts:
          a: {connection: sim, dom0: {memory: 512M, vcpus: 1}, bridges: {xenbr0: {}}, sim: {memory: 2048M, cpus: 2}}
        backups: {pool: backup, keep: 2, consistency: pause}
        domains:
          g5: {host: a, disks: [{name: root, size: 48M, vdev: xvda, pool: local}]}

        """

    @Test func aBackupIsListedAndRestoredBesideTheGuest() throws {
        let root = try TemporaryDirectory.create("xenplan-backup-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let lab = root.appendingPathComponent("lab")
        try FileManager.default.createDirectory(at: lab, withIntermediateDirectories: true)
        try Data(Self.manifests.utf8).write(to: lab.appendingPathComponent("lab.yaml"))
        let state = ["--state-dir", root.appendingPathComponent("state").path]
        let env = ["NO_COLOR": "1"]
        #expect(try Binary.run(["apply", lab.path, "--auto-approve"] + state, environment: env).status == 0)

        let backup = try Binary.run(["backup", "-C", lab.path] + state, environment: env)
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.contains("+ backup    g5        1 disk (vga/g5-root 48 MiB) to pool backup, keep 2, paused for the snapshots  [pause]"))
        #expect(backup.stdout.contains("Plan: 1 backup to make."))

        let listed = try Binary.run(["backups", "g5", "-C", lab.path, "--json"] + state, environment: env)
        #expect(listed.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let records = try #require(object["backups"] as? [[String: Any]])
        #expect(records.count == 1)
        #expect(records.first?["domain"] as? String == "g5" && records.first?["consistency"] as? String == "pause")
        let id = try #require(records.first?["id"] as? String)

        // Over the running guest's own volume: refused without a word changed.
        let over = try Binary.run(["restore", "g5", "-C", lab.path, "--allow-data-loss", "--auto-approve"] + state, environment: env)
        #expect(over.status == 1)
        #expect(over.stderr == "error: g5 runs on a: stop it first: declare state: stopped and apply, or restore --as NEWNAME\n")

        let beside = try Binary.run(["restore", "g5", "--from", id, "--as", "g6", "-C", lab.path, "--auto-approve"] + state, environment: env)
        #expect(beside.status == 0, "\(beside.stderr)")
        #expect(beside.stdout.contains("Plan: 1 volume to restore"))
        let plan = try Binary.run(["plan", lab.path] + state, environment: env)
        #expect(plan.stdout.contains("volume vga/g6-root (48 MiB) is no longer used by any declared disk"))
    }
}
