import Manifest
import Testing
import XenplanBasics

/// `backups:` lab-wide and per domain: defaults, overrides, `none`, and the messages of
/// what cannot be (the broken fixtures 76–82 pin the others).
struct BackupPolicyTests {
    static let lab = """
        lab: bak
        storage:
          local: {type: lvm, volumeGroup: vg0, hosts: [h1]}
          backup: {type: dir, path: /srv/xen-backups, hosts: [h1]}
          offsite: {type: dir, path: /srv/offsite, hosts: [h1]}
        hosts:
          h1: {connection: local, bridges: {xenbr0: {}}}
        backups: {pool: backup}
        domains:
          web:
            host: h1
            disks: [{name: root, size: 8G, vdev: xvda}]
          db:
            host: h1
            disks: [{name: root, size: 8G, vdev: xvda}]
            backups: {keep: 30, consistency: shutdown}
          cache:
            host: h1
            disks: [{name: root, size: 8G, vdev: xvda}]
            backups: none
          logs:
            host: h1
            disks: [{name: root, size: 8G, vdev: xvda}]
            backups: {pool: offsite, consistency: live}
          mail:
            host: h1
            disks: [{name: root, size: 8G, vdev: xvda}]
            backups:

        """

    func load(_ files: [(String, String)]) throws -> Lab {
        do {
            return try ManifestLoader.load(files: files.map { ($0.0, Array($0.1.utf8)) }).lab
        } catch {
            Issue.record("unexpected diagnostics:\n\(error.diagnostics.map(\.description).joined(separator: "\n"))")
            throw error
        }
    }

    func diagnostics(_ files: [(String, String)]) -> [String] {
        do {
            return try ManifestLoader.load(files: files.map { ($0.0, Array($0.1.utf8)) }).warnings.map(\.description)
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func theLabWidePolicyTakesItsDefaults() throws {
        let lab = try load([("bak/lab.yaml", Self.lab)])
        #expect(lab.backups == BackupPolicy(pool: "backup", keep: 7, consistency: .pause))
        #expect(BackupPolicy.defaultKeep == 7 && BackupPolicy.defaultConsistency == .pause)
    }

    @Test func eachDomainKeyOverridesTheLabWideOneAndNoneTurnsBackupsOff() throws {
        let lab = try load([("bak/lab.yaml", Self.lab)])
        #expect(lab.domain("web")?.backups == BackupPolicy(pool: "backup", keep: 7, consistency: .pause))
        #expect(lab.domain("db")?.backups == BackupPolicy(pool: "backup", keep: 30, consistency: .shutdown))
        #expect(lab.domain("cache")?.backups == nil)
        #expect(lab.domain("logs")?.backups == BackupPolicy(pool: "offsite", keep: 7, consistency: .live))
        #expect(lab.domain("mail")?.backups == BackupPolicy(pool: "backup", keep: 7, consistency: .pause))
    }

    @Test func aLabWithoutBackupsHasNoPolicyAnywhere() throws {
        let text = Self.lab.replacingOccurrences(of: "backups: {pool: backup}\n", with: "")
            .replacingOccurrences(of: "    backups: {keep: 30, consistency: shutdown}\n", with: "")
            .replacingOccurrences(of: "    backups:\n", with: "")
        let lab = try load([("bak/lab.yaml", text)])
        #expect(lab.backups == nil)
        #expect(lab.domains.map(\.name) == ["cache", "db", "logs", "mail", "web"])
        #expect(lab.domains.map(\.backups) == [nil, nil, BackupPolicy(pool: "offsite", keep: 7, consistency: .live), nil, nil])
    }

    @Test func theKeepBoundsAreInclusive() throws {
        for keep in [1, 1000] {
            let lab = try load([("bak/lab.yaml", Self.lab.replacingOccurrences(of: "{pool: backup}", with: "{pool: backup, keep: \(keep)}"))])
            #expect(lab.backups?.keep == keep)
        }
    }

    @Test func theLabWidePolicyIsWrittenOnce() {
        let more = "backups: {pool: offsite}\n"
        #expect(
            diagnostics([("bak/lab.yaml", Self.lab), ("bak/more.yaml", more)]) == [
                "bak/more.yaml:1:1: error: backups are written in more than one file; keep the lab-wide policy in one\n"
                    + "bak/lab.yaml:8:1: note: first written here"
            ])
    }

    @Test func defaultsTakeNoBackupsAndTheLabWidePolicyNeedsAPool() {
        let text = Self.lab.replacingOccurrences(of: "backups: {pool: backup}\n", with: "backups: {keep: 3}\ndefaults:\n  backups: none\n")
        #expect(
            diagnostics([("bak/lab.yaml", text)]) == [
                "bak/lab.yaml:8:1: error: backups has no 'pool', which is required",
                "bak/lab.yaml:10:3: error: key 'backups' cannot be set in defaults; the lab-wide policy is the top-level backups",
            ])
    }

    @Test func theContentHashCoversThePolicy() throws {
        let one = try ManifestLoader.load(files: [("bak/lab.yaml", Array(Self.lab.utf8))]).lab.contentHash
        let other = try ManifestLoader.load(
            files: [("bak/lab.yaml", Array(Self.lab.replacingOccurrences(of: "{pool: backup}", with: "{pool: backup, keep: 8}").utf8))]
        ).lab.contentHash
        #expect(one != other)
    }
}
