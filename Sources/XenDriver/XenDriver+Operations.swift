import FoundationEssentials
import HostModel
import XenplanBasics

extension XenDriver {
    /// Performs one operation; a refused value or a failing tool becomes a `HostError`
    /// naming this host, the domain and the action, with the tool's own message.
    public func perform(_ operation: HostOperation) async throws {
        let kind = operation.kind
        do {
            try await dispatch(operation)
        } catch let error as HostError {
            throw error
        } catch let error as XlConfigError {
            throw failure(kind, domain: operation.domainName, error.message)
        } catch {
            throw failure(kind, domain: operation.domainName, "\(error)")
        }
    }

    private func dispatch(_ operation: HostOperation) async throws {
        let kind = operation.kind
        switch operation {
        case let .save(domain, directory):
            try await save(domain: domain, directory: directory)
        case let .restore(domain, directory):
            try await restore(domain: domain, directory: directory)
        case let .removeSave(domain, directory, partial):
            try removeSave(domain: domain, directory: directory, partial: partial)
        case let .backup(job):
            try await backup(job)
        case let .restoreVolume(container, name, size, source, replace):
            try await restoreVolume(container: container, name: name, size: size, source: source, replace: replace)
        case let .receiveVolume(container, name, size):
            try await receiveVolume(container: container, name: name, size: size)
        case let .sendVolume(transfer):
            try await sendVolume(transfer)
        case let .commitVolume(container, name):
            try await commitVolume(container: container, name: name)
        case let .createVolumeFromImage(container, name, size, image):
            try await createVolumeFromImage(container: container, name: name, size: size, image: image)
        case let .writeSeed(seed):
            try await writeSeed(seed)
        case let .createBridge(name, interface, vlan):
            try await createBridge(name: name, interface: interface, vlan: vlan)
        case let .writeBridgeFile(file):
            try writeBridgeFile(file)
        case let .removeBridgeFile(bridge):
            try removeBridgeFile(bridge)
        case let .createVolume(container, name, size):
            if isImageDirectory(container) {
                try createImage(directory: container, name: name, size: size)
            } else {
                try await run(XenCommands.lvcreate(vg: container, name: name, size: size), operation: kind)
            }
        case let .growVolume(container, name, size):
            if isImageDirectory(container) {
                try growImage(directory: container, name: name, size: size)
                try await tellGuests(target: try imagePath(container, name), size: size, loop: true)
            } else {
                try await run(XenCommands.lvextend(vg: container, name: name, size: size), operation: kind)
                try await tellGuests(target: "/dev/\(container)/\(name)", size: size, loop: false)
            }
        case let .removeVolume(container, name):
            if isImageDirectory(container) {
                try removeImage(directory: container, name: name)
            } else {
                try await run(XenCommands.lvremove(vg: container, name: name), operation: kind)
            }
        case let .writeConfig(config):
            try writeConfig(config)
        case let .removeConfig(name):
            try removeConfig(name)
        case let .create(domain):
            try await create(domain)
        case let .setMemory(domain, target):
            try await run(XenCommands.memSet(domain, target), operation: kind, domain: domain)
        case let .setVcpus(domain, count):
            try await run(XenCommands.vcpuSet(domain, count), operation: kind, domain: domain)
        case let .setScheduler(domain, weight, cap):
            let scheduler = (try? hypervisor.scheduler()) ?? .credit
            try await run(XenCommands.schedCredit(domain, weight: weight, cap: cap, scheduler: scheduler), operation: kind, domain: domain)
        case let .attachDisk(domain, disk):
            try await run(XenCommands.blockAttach(domain, disk), operation: kind, domain: domain)
        case let .detachDisk(domain, vdev):
            try await run(XenCommands.blockDetach(domain, vdev: vdev), operation: kind, domain: domain)
        case let .attachNic(domain, nic):
            try await run(XenCommands.networkAttach(domain, nic), operation: kind, domain: domain)
        case let .detachNic(domain, mac):
            try await run(XenCommands.networkDetach(domain, mac: mac), operation: kind, domain: domain)
        case let .migrate(domain, toHost):
            try await run(XenCommands.migrate(domain, to: toHost), operation: kind, domain: domain, timeout: deadlines.migrate)
        case let .shutdown(domain, timeout):
            try await shutdown(domain, timeout: .seconds(timeout))
        case let .destroy(domain):
            try await run(XenCommands.destroy(domain), operation: kind, domain: domain)
        case let .discardMigrationCopy(domain, role):
            let name = domain + (role == .incoming ? "--incoming" : "--migratedaway")
            try await run(XenCommands.destroy(name), operation: kind, domain: domain)
        case let .keepMigrationCopy(domain, role):
            // xl has no resume command: the name comes back and the paused copy runs
            // again (xl migrate's own failure path resumes the source in place the same way).
            let copy = domain + (role == .incoming ? "--incoming" : "--migratedaway")
            try await run(
                ["xl", "rename", try XenCommands.domain(copy), try XenCommands.domain(domain)],
                operation: kind, domain: domain)
            try await run(["xl", "unpause", try XenCommands.domain(domain)], operation: kind, domain: domain)
        }
    }

    func isImageDirectory(_ container: String) -> Bool { paths.imageDirectories.contains(container) }
}
