import Foundation
import HostModel
import XenplanBasics
import XenplanTestSupport

@testable import XenDriver

/// A driver for cpt18 wired to the test xenstored, the recorded hypervisor, a recording
/// command runner answering `lvs` with captured output (behind the fake file tools),
/// cpt18's interfaces in a sysfs tree, temporary config, auto, image, seed and save
/// directories, a tool directory without zstd (`installZstd` adds it), and a clock
/// stopped at 2026-12-02 01:30:00 UTC.
struct DriverHarness {
    let server: TestXenstored
    let hypervisor: RecordedHypervisor
    let runner: RecordingCommandRunner
    let tools: FakeTools
    let driver: XenDriver
    let root: URL
    /// The pauses the driver took to let the host settle, instead of sleeping them.
    let pauses: PauseRecorder
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
            seedDirectory: root.appendingPathComponent("xenplan-state/seed").path, imagePaths: imagePaths,
            saveDirectory: root.appendingPathComponent("xenplan-state/save").path,
            toolDirectories: [root.appendingPathComponent("bin").path],
            networkDirectory: root.appendingPathComponent("network").path,
            vlanConfig: root.appendingPathComponent("proc-net-vlan-config").path)
        let pauses = PauseRecorder()
        self.pauses = pauses
        driver = XenDriver(
            hostName: "cpt18", hypervisor: hypervisor, store: store, runner: tools, deadlines: Self.deadlines, paths: paths,
            pollInterval: pollInterval, clock: { Self.now }, settle: { pauses.record($0) })
    }

    /// 2026-12-02T01:30:00Z: backups made by the harness's driver are `20261202T013000Z`.
    static let now = Date(timeIntervalSince1970: 1_796_175_000)

    /// An executable `zstd` in the tool directory: the driver then compresses backups.
    func installZstd() throws {
        let bin = root.appendingPathComponent("bin").path
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: bin + "/zstd", contents: Data("#!/bin/false\n".utf8), attributes: [.posixPermissions: 0o755])
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

/// What a driver under test would have slept.
final class PauseRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Duration] = []
    func record(_ pause: Duration) { lock.withLock { recorded.append(pause) } }
    var all: [Duration] { lock.withLock { recorded } }
}
