import Foundation
import HostModel
import XenplanBasics
import XenplanTestSupport

@testable import XenDriver

/// A driver for cpt18 wired to the test xenstored, the recorded hypervisor, a recording
/// command runner answering `lvs` with captured output (behind the fake file tools),
/// cpt18's interfaces in a sysfs tree, and temporary config, auto, image and seed
/// directories.
struct DriverHarness {
    let server: TestXenstored
    let hypervisor: RecordedHypervisor
    let runner: RecordingCommandRunner
    let tools: FakeTools
    let driver: XenDriver
    let root: URL
    var paths: XenDriverPaths { driver.paths }

    /// `volumeGroups`: the ones the manifests declare for the host (cpt18's captured
    /// `lvs` output holds these three).
    init(
        pollInterval: Duration = .milliseconds(50), volumeGroups: [String] = ["san", "sys", "vg18"],
        imagePaths: [String] = []
    ) throws {
        let (server, store) = try XenstoreHarness.cpt18()
        self.server = server
        hypervisor = RecordedHypervisor.cpt18()
        runner = RecordingCommandRunner()
        runner.respond(to: ["lvs"], with: CommandResult(status: 0, stdout: try Fixtures.text("lvs/cpt18.json")))
        tools = FakeTools(recorder: runner)
        root = try TemporaryDirectory.create("xendriver")
        let images = root.appendingPathComponent("images").path
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        let sysfs = try SysfsTree.cpt18(at: root.appendingPathComponent("sys"))
        let paths = XenDriverPaths(
            configDirectory: root.appendingPathComponent("xenplan").path,
            autoDirectory: root.appendingPathComponent("auto").path, imageDirectories: [images],
            volumeGroups: volumeGroups, sysClassNet: sysfs.classNet,
            seedDirectory: root.appendingPathComponent("xenplan-state/seed").path, imagePaths: imagePaths)
        driver = XenDriver(
            hostName: "cpt18", hypervisor: hypervisor, store: store, runner: tools, deadlines: Self.deadlines, paths: paths,
            pollInterval: pollInterval)
    }

    /// The tools' deadlines: an agent client's defaults, each kind its own.
    static let deadlines = CommandDeadlines(
        observe: .seconds(60), create: .seconds(600), migrate: .seconds(1800),
        copyImage: .seconds(3600), operation: .seconds(120))

    func cleanup() {
        server.stop()
        try? FileManager.default.removeItem(at: root)
    }
}
