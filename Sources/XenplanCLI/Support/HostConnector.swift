import Agent
import Foundation
import HostModel
import Manifest
import SimDriver
import XenDriver
import XenplanBasics

/// Turns a host's `connection:` into the driver that reads and changes it.
enum HostConnector {
    /// Capacity given to each volume group or image directory of a simulated host that
    /// starts empty: the manifests say which pools exist, not how large they are.
    static let simulatedPoolCapacity = ByteSize.gib(4096)

    static func driver(for host: HostSpec, in lab: Lab, stateDirectory: String) throws -> any HostDriver & HostLocking {
        switch host.connection {
        case .sim:
            return try simDriver(for: host, in: lab, stateDirectory: stateDirectory)
        case .local:
            // This machine is the dom0: fails at once, saying what is missing, elsewhere.
            let (images, volumeGroups) = storage(reachableFrom: host.name, in: lab)
            do {
                return try XenDriver.open(
                    hostName: host.name,
                    paths: XenDriverPaths(
                        imageDirectories: images, volumeGroups: volumeGroups,
                        imagePaths: imagePaths(of: host.name, in: lab)),
                    deadlines: CommandDeadlines.fromEnvironment())
            } catch let error as HostError {
                throw UserFacingError("host \(host.name): \(error.message)")
            } catch let error as HostLimitsError {
                throw UserFacingError("host \(host.name): \(error.message)")
            }
        case let .ssh(user, address, port):
            // Options for ssh itself (key, known_hosts file) come from the environment,
            // split into arguments here: they never pass through a shell.
            let options: [String]
            do {
                options = try SshTarget.options(fromEnvironment: ProcessInfo.processInfo.environment["XENPLAN_SSH_OPTIONS"])
            } catch {
                throw UserFacingError("host \(host.name): \(error)")
            }
            let (images, volumeGroups) = storage(reachableFrom: host.name, in: lab)
            let target = SshTarget(
                user: user, address: address, port: port, agentCommand: host.agentCommand,
                extraOptions: options, imageDirectories: images, volumeGroups: volumeGroups,
                imagePaths: imagePaths(of: host.name, in: lab))
            return SshDriver(hostName: host.name, target: target, clientVersion: XenplanMain.version)
        }
    }

    /// The directories of the `dir` pools and the volume groups of the `lvm` pools the host
    /// reaches, each once, in the manifests' order: all a real host's driver reads of its
    /// storage.
    static func storage(reachableFrom host: String, in lab: Lab) -> (imageDirectories: [String], volumeGroups: [String]) {
        var images: [String] = [], volumeGroups: [String] = []
        for pool in lab.pools(reachableFrom: host) {
            switch pool.kind {
            case let .dir(path) where !images.contains(path): images.append(path)
            case let .lvm(vg) where !volumeGroups.contains(vg): volumeGroups.append(vg)
            default: break
            }
        }
        return (images, volumeGroups)
    }

    /// The paths of the lab's images that the host has, each once, in name order: the only
    /// image files its driver looks at.
    static func imagePaths(of host: String, in lab: Lab) -> [String] {
        var paths: [String] = []
        for image in lab.images where image.hosts.contains(host) && !paths.contains(image.path) { paths.append(image.path) }
        return paths
    }

    /// A simulated host; one the state directory does not hold yet starts as the machine
    /// its `sim:` block describes, with Domain-0 only and the pools the manifests declare
    /// for it (a dom0's volume groups exist before xenplan is used).
    private static func simDriver(for host: HostSpec, in lab: Lab, stateDirectory: String) throws -> SimDriver {
        let directory = URL(fileURLWithPath: stateDirectory)
        let store = SimStore(directory: directory)
        let manager = FileManager.default
        let machine = simMachine(for: host)
        let exists = manager.fileExists(atPath: store.liveURL(host.name).path) || manager.fileExists(atPath: store.seedURL(host.name).path)
        if !exists, let file = emptySimHost(for: host, in: lab) {
            do {
                try manager.createDirectory(at: directory, withIntermediateDirectories: true)
                try store.write(file, to: store.liveURL(host.name))
            } catch {
                throw UserFacingError("host \(host.name): cannot create its simulated state in \(stateDirectory): \(error)")
            }
        }
        return SimDriver(stateDirectory: directory, host: host.name, machine: machine)
    }

    static func simMachine(for host: HostSpec) -> SimMachine? {
        host.simMemory.map {
            SimMachine(memory: $0, cpus: host.simCpus ?? 1, dom0Memory: host.dom0Memory, dom0Vcpus: host.dom0Vcpus)
        }
    }

    /// The machine a `sim:` block describes, with Domain-0 only and the pools the
    /// manifests declare for it.
    static func emptySimHost(for host: HostSpec, in lab: Lab) -> SimHostFile? {
        guard let machine = simMachine(for: host) else { return nil }
        var file = SimHostFile(machine: machine)
        for pool in lab.pools(reachableFrom: host.name) {
            let type: SimHostFile.ContainerType
            switch pool.kind {
            case .lvm: type = .lvm
            case .dir: type = .dir
            }
            file.storage[pool.container] = SimHostFile.Container(type: type, capacity: simulatedPoolCapacity, shared: pool.shared)
        }
        // The administrator has put the lab's images where the manifests say.
        for image in lab.images where image.hosts.contains(host.name) { file.images[image.path] = simImage(image) }
        return file
    }

    /// A declared image as a simulated host holds it: a small cloud image's size, the
    /// declared format and sha256.
    static func simImage(_ image: ImageSpec) -> SimHostFile.Image {
        .placed(at: image.path, fileSize: SimHostFile.Image.defaultSize, format: image.format.rawValue, sha256: image.sha256)
    }
}
