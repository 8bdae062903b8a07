import Agent
import FoundationEssentials
import HostModel
import Logging
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
        try drivers(for: [host], in: lab, stateDirectory: stateDirectory)[0]
    }

    /// The drivers of `hosts`, in their order.
    static func drivers(for hosts: [HostSpec], in lab: Lab, stateDirectory: String) throws -> [any HostDriver & HostLocking] {
        let blanks = hosts.contains { $0.connection == .sim } ? simBlanks(in: lab) : [:]
        return try hosts.map { try driver(for: $0, in: lab, stateDirectory: stateDirectory, blanks: blanks) }
    }

    private static func driver(
        for host: HostSpec, in lab: Lab, stateDirectory: String, blanks: [String: SimHostFile]
    ) throws -> any HostDriver & HostLocking {
        switch host.connection {
        case .sim:
            // A host the state directory does not hold yet is written only when an apply
            // changes it; every simulated host's blank is given, since an operation on one
            // can reach another (a migration's target, a shared pool).
            return SimDriver(
                stateDirectory: URL(fileURLWithPath: stateDirectory), host: host.name, machine: simMachine(for: host),
                blanks: blanks)
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
            var target = SshTarget(
                user: user, address: address, port: port, agentCommand: host.agentCommand,
                extraOptions: options, imageDirectories: images, volumeGroups: volumeGroups,
                imagePaths: imagePaths(of: host.name, in: lab))
            switch sharingDirectory {
            case let .success(directory)?: target.sharing = SshSharing.options(directory: directory, connection: target.arguments)
            case let .failure(refused)?: log.debug("\(host.name): \(refused)")
            case nil: break
            }
            return SshDriver(hostName: host.name, target: target, clientVersion: XenplanMain.version)
        }
    }

    /// Where this process's shared ssh connections live (looked at once), nil when
    /// `XENPLAN_SSH_SHARE=no`.
    static let sharingDirectory = SshSharing.directory(environment: ProcessInfo.processInfo.environment)
    static let log = Logger(label: "xenplan.ssh")

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

    /// What each simulated host is while the state directory holds no file for it: the
    /// machine its `sim:` block describes, with Domain-0 only and the pools the manifests
    /// declare for it (a dom0's volume groups exist before xenplan is used).
    static func simBlanks(in lab: Lab) -> [String: SimHostFile] {
        var blanks: [String: SimHostFile] = [:]
        for host in lab.hosts where host.connection == .sim {
            if let file = emptySimHost(for: host, in: lab) { blanks[host.name] = file }
        }
        return blanks
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
