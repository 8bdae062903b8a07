import Foundation
import HostModel
import Manifest
import SimDriver
import XenplanBasics
import XenplanTestSupport

/// One generated lab's world: a directory of manifests written from a blueprint and read
/// by the real loader, a state directory of simulated hosts, a clock shared by the hosts
/// and the executor, and the safety monitor every host operation reports to.
final class PropertyWorld: @unchecked Sendable {
    let root: URL
    let manifests: URL
    let state: URL
    let simClock = ManualClock()
    let monitor: SafetyMonitor
    /// The lab as loaded at the start: hosts and pools do not change during a case.
    let initialLab: Lab
    let drivers: [CheckingDriver]

    /// Capacity given to each volume group and image directory of a new simulated host.
    static let poolCapacity = ByteSize.gib(4096)

    init(_ blueprint: LabBlueprint) throws {
        let base =
            FileManager.default.fileExists(atPath: "/dev/shm")
            ? URL(fileURLWithPath: "/dev/shm")
            : FileManager.default.temporaryDirectory
        root = try TemporaryDirectory.create("xenplan-props", in: base)
        manifests = root.appendingPathComponent("lab")
        state = root.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        initialLab = try Self.write(blueprint, to: manifests)
        let store = SimStore(directory: state)
        for host in initialLab.hosts {
            try store.write(Self.emptyHost(host, in: initialLab), to: store.liveURL(host.name))
        }
        let clock = simClock, stateDirectory = state
        let monitor = SafetyMonitor(store: store, lab: initialLab, clock: clock)
        let control = OperationControl()
        self.monitor = monitor
        drivers = initialLab.hosts.map { host in
            CheckingDriver(
                SimDriver(stateDirectory: stateDirectory, host: host.name, clock: clock, speed: 0),
                monitor: monitor, control: control)
        }
        try monitor.rebaseline()
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    var control: OperationControl { drivers[0].control }

    /// Writes the blueprint's manifests (and nothing else) and loads them.
    @discardableResult
    func write(_ blueprint: LabBlueprint) throws -> Lab { try Self.write(blueprint, to: manifests) }

    static func write(_ blueprint: LabBlueprint, to directory: URL) throws -> Lab {
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".yaml") {
            try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
        for file in blueprint.manifestFiles() {
            try Data(file.text.utf8).write(to: directory.appendingPathComponent(file.name))
        }
        do {
            return try ManifestLoader.load(directory: directory.path).lab
        } catch {
            throw LoaderRefusal(diagnostics: error.diagnostics.map(\.description), manifests: blueprint.manifestText())
        }
    }

    /// A dom0 with nothing but its volume groups, as `xenplan` starts a simulated host the
    /// state directory does not hold yet.
    static func emptyHost(_ host: HostSpec, in lab: Lab) -> SimHostFile {
        var file = SimHostFile(
            machine: SimMachine(
                memory: host.simMemory ?? .gib(8), cpus: host.simCpus ?? 1,
                dom0Memory: host.dom0Memory, dom0Vcpus: host.dom0Vcpus))
        for pool in lab.pools where pool.hosts.contains(host.name) {
            let type: SimHostFile.ContainerType
            if case .dir = pool.kind { type = .dir } else { type = .lvm }
            file.storage[pool.container] = SimHostFile.Container(type: type, capacity: poolCapacity, shared: pool.shared)
        }
        // The image every generated lab declares, put on the host by its administrator.
        for image in lab.images where image.hosts.contains(host.name) {
            file.images[image.path] = .placed(at: image.path, fileSize: .mib(Int64(LabBlueprint.imageSize)), format: image.format.rawValue)
        }
        return file
    }

    /// `xenplan sim xl HOST ARGV…`; returns xl's refusal, if any (a refusal is normal: the
    /// generator does not know where domains run).
    @discardableResult
    func outOfBand(_ change: OutOfBandChange) throws -> String? {
        do {
            _ = try SimXl(stateDirectory: state, host: change.host, clock: simClock).run(change.argv)
            return nil
        } catch let error as HostError {
            return error.message
        } catch let error as SimXlError {
            return error.problem
        }
    }

    /// `xenplan sim fail HOST OPERATION --times N`.
    func inject(_ fault: InjectedFault) throws {
        try SimDriver(stateDirectory: state, host: fault.host, clock: simClock, speed: 0)
            .fail(fault.operation, times: fault.times, message: fault.message)
    }

    /// Forgets injected failures an apply did not reach: a fault stands for one bad moment.
    func clearFaults() throws {
        for host in initialLab.hosts {
            try SimDriver(stateDirectory: state, host: host.name, clock: simClock, speed: 0).edit { $0.failures = [:] }
        }
    }

    /// Every host, read in one step under all their locks.
    func snapshot() throws -> [HostState] { try monitor.snapshot().states }

    /// Every host's file (with what its volumes hold), read in one step under all their locks.
    func files() throws -> [String: SimHostFile] {
        let store = SimStore(directory: state)
        let hosts = initialLab.hosts.map(\.name)
        return try store.withLocks(hosts) { _ in
            try Dictionary(uniqueKeysWithValues: hosts.map { ($0, try SimHostFile.decode(Data(contentsOf: store.liveURL($0)))) })
        }
    }
}

/// The loader refused a lab the generator thought valid: a bug in one or the other.
struct LoaderRefusal: Error, CustomStringConvertible {
    var diagnostics: [String]
    var manifests: String
    var description: String {
        "the manifest loader refused a generated lab:\n" + diagnostics.joined(separator: "\n") + "\n" + manifests
    }
}
