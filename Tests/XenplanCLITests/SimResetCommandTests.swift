import Foundation
import Manifest
import SimDriver
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import XenplanCLI

/// `xenplan sim reset [DIR]`: the working copies dropped, then the lab's images put on its
/// simulated hosts so that guests can be created from them at once.
@Suite struct SimResetCommandTests {
    static let sha = String(repeating: "5a", count: 32)

    /// cpt18 and cpt76 simulated (cpt76 from nothing but its `sim:` block), an ssh host,
    /// and two images: one on both simulated hosts with a digest, one on cpt18 and the ssh host.
    static let lab = Lab(
        pools: [PoolSpec(name: "san", kind: .lvm(volumeGroup: "san"), hosts: ["cpt18", "cpt76"], shared: true)],
        hosts: [
            HostSpec(name: "cpt18", simMemory: .gib(48), simCpus: 16),
            HostSpec(name: "cpt76", simMemory: .gib(32), simCpus: 8),
            HostSpec(name: "real", connection: .ssh(user: nil, host: "real.example", port: nil)),
        ],
        images: [
            ImageSpec(
                name: "debian-12", path: "/srv/images/debian-12.qcow2", format: .qcow2, sha256: sha,
                hosts: ["cpt18", "cpt76"]),
            ImageSpec(name: "alpine", path: "/srv/images/alpine.raw", hosts: ["cpt18", "real"]),
        ])

    @Test func imagesOfTheLabArePutOnTheirSimulatedHosts() throws {
        let state = try TemporaryDirectory.create("reset")
        defer { try? FileManager.default.removeItem(at: state) }
        let lines = try SimCommand.Reset.placeImages(of: Self.lab, stateDirectory: state.path)
        #expect(
            lines == [
                "Image alpine (/srv/images/alpine.raw) in place on cpt18.",
                "Image debian-12 (/srv/images/debian-12.qcow2) in place on cpt18, cpt76.",
            ])
        let cpt18 = try SimDriver(stateDirectory: state, host: "cpt18", speed: 0).file()
        let cpt76 = try SimDriver(stateDirectory: state, host: "cpt76", speed: 0).file()
        let debian = SimHostFile.Image(fileSize: .gib(2), format: "qcow2", sha256: Self.sha)
        #expect(
            cpt18.images == [
                "/srv/images/alpine.raw": .placed(at: "/srv/images/alpine.raw", fileSize: .gib(2)),
                "/srv/images/debian-12.qcow2": debian,
            ])
        #expect(cpt76.images == ["/srv/images/debian-12.qcow2": debian])
        // A host made from its `sim:` block has the declared pools too.
        #expect(cpt76.machine.memory == .gib(32))
        #expect(cpt76.storage.keys.sorted() == ["san"])
    }

    @Test func withoutADirectoryOnlyTheWorkingCopiesGo() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        #expect(try lab.run(["sim", "xl", "cpt76", "mem-set", "proxy", "256M"]).status == 0)
        let result = try lab.run(["sim", "reset"])
        #expect(result.stdout == "Reset cpt76 in \(lab.state.path): the committed seeds apply again.\n")
        #expect(try lab.liveFiles().isEmpty)
    }

    @Test func invalidManifestsLeaveTheHostsAsTheyAre() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        #expect(try lab.run(["sim", "xl", "cpt76", "mem-set", "proxy", "256M"]).status == 0)
        let before = try lab.liveFiles()
        let result = try lab.run(["sim", "reset", "examples/nowhere"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: directory 'examples/nowhere' does not exist\n"))
        #expect(try lab.liveFiles() == before)
    }
}
