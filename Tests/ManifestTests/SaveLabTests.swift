import Foundation
import Manifest
import Testing
import XenplanBasics

/// `state: suspended` and `saves:`: decoded, inherited from defaults, and left out of the
/// capacity a simulated host is checked against (a suspended guest's memory is free).
struct SaveLabTests {
    static let lab = """
        lab: cpt
        defaults:
          state: suspended
        storage:
          vg18: {type: lvm, volumeGroup: vg18, hosts: [cpt18]}
          nfs-save: {type: dir, path: /srv/xen-save, hosts: [cpt18, cpt76], shared: true}
        hosts:
          cpt18: {connection: sim, sim: {memory: 4G, cpus: 4}, dom0: {memory: 1G}}
          cpt76: {connection: sim, sim: {memory: 4G, cpus: 4}, dom0: {memory: 1G}}
        domains:
          web: {host: cpt18, memory: 2G, saves: nfs-save}
          db: {host: cpt18, memory: 2G}
          app: {memory: 512M, state: running, saves: nfs-save}
          old: {host: cpt76, state: stopped}

        """

    func load(_ text: String = lab) throws -> Lab {
        do {
            return try ManifestLoader.load(files: [(path: "lab.yaml", contents: Array(text.utf8))]).lab
        } catch {
            let text = error.diagnostics.map(\.description).joined(separator: "\n")
            Issue.record("unexpected diagnostics:\n\(text)")
            throw error
        }
    }

    @Test func suspendedAndTheSavePoolAreDecoded() throws {
        let lab = try load()
        #expect(lab.domains.map(\.name) == ["app", "db", "old", "web"])
        #expect(lab.domains.map(\.state) == [.running, .suspended, .stopped, .suspended])
        #expect(lab.domains.map(\.savePool) == ["nfs-save", nil, nil, "nfs-save"])
        #expect(lab.domains[3].locations.keys["saves"] == SourceLocation(file: "lab.yaml", line: 11, column: 41))
    }

    @Test func theSavePoolComesFromDefaultsToo() throws {
        let lab = try load(Self.lab.replacingOccurrences(of: "  state: suspended\n", with: "  state: suspended\n  saves: nfs-save\n"))
        #expect(lab.domains.map(\.savePool) == ["nfs-save", "nfs-save", "nfs-save", "nfs-save"])
    }

    /// Two suspended guests of 2 GiB on a host with 3 GiB for guests: their memory is free,
    /// so the manifests are not refused.
    @Test func suspendedGuestsDoNotCountAgainstASimulatedHostsMemory() throws {
        let lab = try load()
        #expect(lab.domains.filter { $0.host == "cpt18" }.map(\.memory) == [.gib(2), .gib(2)])
    }
}
