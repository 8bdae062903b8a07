import HostModel
import XenplanBasics

/// Carries out host operations on plain `HostState` values, as a host that does exactly
/// what it is told (balloons settle at once). Tests use it to apply a plan's effects and
/// check that planning again gives nothing. It refuses what Xen refuses, so that a plan
/// asking for the impossible fails the test.
public enum OperationReplayer {
    public struct Refused: Error, CustomStringConvertible {
        public var description: String
    }

    public static func apply(_ op: HostOperation, on hostName: String, to hosts: inout [HostState]) throws {
        guard let hi = hosts.firstIndex(where: { $0.name == hostName }) else {
            throw Refused(description: "\(op.kind): host \(hostName) is not known")
        }
        func domainIndex(_ name: String) throws -> Int {
            guard let i = hosts[hi].domains.firstIndex(where: { $0.name == name && $0.domid != 0 }) else {
                throw Refused(description: "\(op.kind): no domain \(name) on \(hostName)")
            }
            return i
        }
        func start(_ name: String, command: String) throws {
            guard let c = hosts[hi].config(named: name) else { throw Refused(description: "\(command): no configuration for \(name)") }
            if c.seed != nil, !hosts[hi].seeds.contains(name) { throw Refused(description: "\(command) \(name): its seed file is missing") }
            if hosts[hi].domain(named: name) != nil { throw Refused(description: "\(command): domain \(name) already exists") }
            let need = XenMemory.footprint(actual: c.memory, staticMax: c.maxmem, type: c.type, maxVcpus: c.maxvcpus)
            if need > hosts[hi].freeMemory {
                throw Refused(description: "\(command) \(name): needs \(need), \(hosts[hi].freeMemory) free on \(hostName)")
            }
            let domid = (hosts.flatMap(\.domains).map(\.domid).max() ?? 0) + 1
            hosts[hi].domains.append(
                DomainState(
                    name: name, domid: domid, uuid: c.uuid ?? "uuid-\(name)", memoryTarget: c.memory, memoryStaticMax: c.maxmem,
                    memoryActual: c.memory, vcpusOnline: c.vcpus, maxVcpus: c.maxvcpus, cpuWeight: c.cpuWeight, cpuCap: c.cpuCap,
                    type: c.type,
                    disks: (c.disks + (c.seed.map { [$0.disk] } ?? [])).map { DiskState(vdev: $0.vdev, target: $0.target, readOnly: $0.readOnly) },
                    nics: c.nics.enumerated().map { i, n in NicState(bridge: n.bridge, mac: n.mac ?? Fixture.mac(for: "\(name)#\(i)"), ip: n.ip) }))
        }
        switch op {
        case let .createBridge(name, interface, vlan):
            let port = interface.map { i in vlan.map { "\(i).\($0)" } ?? i }
            var vlans: [VlanPort] = []
            if let port, let interface, let vlan { vlans = [VlanPort(name: port, parent: interface, id: vlan)] }
            hosts[hi].bridges.append(BridgeState(name: name, interfaces: port.map { [$0] } ?? [], vlans: vlans))
        case let .writeBridgeFile(file):
            guard var p = hosts[hi].persistence else { throw Refused(description: "/etc/network/interfaces.d: No such file or directory") }
            p.files.removeAll { $0.bridge == file.bridge }
            p.files.append(ObservedBridgeFile(bridge: file.bridge, text: file.text))
            p.files.sort { $0.bridge < $1.bridge }
            hosts[hi].persistence = p
        case let .removeBridgeFile(bridge):
            hosts[hi].persistence?.files.removeAll { $0.bridge == bridge }
        case let .createVolume(container, name, size):
            if hosts[hi].volume(container: container, name: name) != nil {
                throw Refused(description: "lvcreate: \(container)/\(name) already exists")
            }
            hosts[hi].volumes.append(VolumeState(container: container, name: name, size: size))
        case let .createVolumeFromImage(container, name, size, image):
            if hosts[hi].volume(container: container, name: name) != nil {
                throw Refused(description: "copy-image: \(container)/\(name) already exists")
            }
            guard let file = hosts[hi].image(at: image.path) else {
                throw Refused(description: "copy-image: image \(image.name) (\(image.path)) is not on \(hostName)")
            }
            if file.virtualSize > size { throw Refused(description: "copy-image: image \(image.name) is larger than \(size)") }
            hosts[hi].volumes.append(VolumeState(container: container, name: name, size: size, owned: true))
        case let .writeSeed(seed):
            if !hosts[hi].seeds.contains(seed.domain) {
                hosts[hi].seeds.append(seed.domain)
                hosts[hi].seeds.sort()
            }
        case let .growVolume(container, name, size):
            guard let i = hosts[hi].volumes.firstIndex(where: { $0.container == container && $0.name == name }) else {
                throw Refused(description: "lvextend: \(container)/\(name) not found")
            }
            hosts[hi].volumes[i].size = size
        case let .removeVolume(container, name):
            hosts[hi].volumes.removeAll { $0.container == container && $0.name == name }
        case let .writeConfig(config):
            hosts[hi].configs.removeAll { $0.name == config.name }
            hosts[hi].configs.append(config)
        case let .removeConfig(name):
            hosts[hi].configs.removeAll { $0.name == name }
            hosts[hi].seeds.removeAll { $0 == name }
        case let .create(name):
            try start(name, command: "xl create")
        case let .save(name, directory):
            let i = try domainIndex(name)
            let d = hosts[hi].domains.remove(at: i)
            hosts[hi].saves.removeAll { $0.domain == name && $0.directory == directory }
            hosts[hi].saves.append(SaveState(directory: directory, domain: name, size: d.memoryActual))
            hosts[hi].saves.sort { $0.path < $1.path }
        case let .restore(name, directory):
            guard hosts[hi].saves.contains(where: { $0.domain == name && $0.directory == directory && !$0.partial }) else {
                throw Refused(description: "xl restore \(name): no save file in \(directory) on \(hostName)")
            }
            try start(name, command: "xl restore")
            hosts[hi].saves.removeAll { $0.domain == name && $0.directory == directory && !$0.partial }
        case let .removeSave(name, directory, partial):
            hosts[hi].saves.removeAll { $0.domain == name && $0.directory == directory && $0.partial == partial }
        case let .backup(job):
            for disk in job.disks where hosts[hi].volume(container: disk.container, name: disk.volume) == nil {
                throw Refused(description: "backup \(job.domain): no volume \(disk.container)/\(disk.volume) on \(hostName)")
            }
            let id = "b\(hosts[hi].backups.count + 1)"
            let record = BackupRecord(
                domain: job.domain, id: id, directory: job.directory, host: hostName, time: id,
                consistency: job.consistency, config: job.config,
                disks: job.disks.map {
                    BackupRecord.Disk(
                        vdev: $0.vdev, container: $0.container, volume: $0.volume, size: $0.size, file: $0.fileName,
                        compressed: false, sha256: String(repeating: "0", count: 64), storedSize: $0.size)
                }, xenplanVersion: job.xenplanVersion)
            hosts[hi].backups.append(record)
            let mine = hosts[hi].backups.filter { $0.domain == job.domain && $0.directory == job.directory }.map(\.id).sorted()
            let dropped = Set(mine.dropLast(max(job.keep, 1)))
            hosts[hi].backups.removeAll { $0.domain == job.domain && $0.directory == job.directory && dropped.contains($0.id) }
        case let .restoreVolume(container, name, size, source, replace):
            if hosts[hi].volume(container: container, name: name) != nil {
                guard replace else { throw Refused(description: "restore-volume: \(container)/\(name) already exists") }
                hosts[hi].volumes.removeAll { $0.container == container && $0.name == name }
            }
            guard hosts[hi].backups.contains(where: { $0.domain == source.domain && $0.id == source.id }) else {
                throw Refused(description: "restore-volume: no backup \(source.id) of \(source.domain) on \(hostName)")
            }
            hosts[hi].volumes.append(VolumeState(container: container, name: name, size: size, owned: true))
        case let .receiveVolume(container, name, size):
            if hosts[hi].volume(container: container, name: name) != nil {
                throw Refused(description: "receive-volume: \(container)/\(name) already exists")
            }
            let partial = VolumeState.partialName(name)
            hosts[hi].volumes.removeAll { $0.container == container && $0.name == partial }
            hosts[hi].volumes.append(VolumeState(container: container, name: partial, size: size))
        case let .sendVolume(t):
            if hosts[hi].domain(named: t.domain) != nil { throw Refused(description: "send-volume: \(t.domain) is still on \(hostName)") }
            guard hosts[hi].volume(container: t.container, name: t.name)?.size == t.size else {
                throw Refused(description: "send-volume: no \(t.container)/\(t.name) of \(t.size) on \(hostName)")
            }
            guard let ti = hosts.firstIndex(where: { $0.name == t.toHost }),
                hosts[ti].volume(container: t.toContainer, name: t.written)?.size == t.size
            else { throw Refused(description: "send-volume: no \(t.toContainer)/\(t.written) of \(t.size) on \(t.toHost)") }
        case let .commitVolume(container, name):
            let partial = VolumeState.partialName(name)
            guard let i = hosts[hi].volumes.firstIndex(where: { $0.container == container && $0.name == partial }),
                hosts[hi].volume(container: container, name: name) == nil
            else { throw Refused(description: "commit-volume: no \(container)/\(partial), or \(name) exists") }
            hosts[hi].volumes[i].name = name
            hosts[hi].volumes[i].owned = true
        case let .setMemory(name, target):
            let i = try domainIndex(name)
            if target > hosts[hi].domains[i].memoryStaticMax { throw Refused(description: "xl mem-set \(name): above static-max") }
            let grow = target - hosts[hi].domains[i].memoryActual
            if grow > hosts[hi].freeMemory { throw Refused(description: "xl mem-set \(name): not enough free memory on \(hostName)") }
            hosts[hi].domains[i].memoryTarget = target
            hosts[hi].domains[i].memoryActual = target
        case let .setVcpus(name, count):
            let i = try domainIndex(name)
            if count > hosts[hi].domains[i].maxVcpus { throw Refused(description: "xl vcpu-set \(name): above maxvcpus") }
            hosts[hi].domains[i].vcpusOnline = count
        case let .setScheduler(name, weight, cap):
            let i = try domainIndex(name)
            hosts[hi].domains[i].cpuWeight = weight
            hosts[hi].domains[i].cpuCap = cap
        case let .attachDisk(name, disk):
            let i = try domainIndex(name)
            hosts[hi].domains[i].disks.append(DiskState(vdev: disk.vdev, target: disk.target, readOnly: disk.readOnly))
        case let .detachDisk(name, vdev):
            let i = try domainIndex(name)
            hosts[hi].domains[i].disks.removeAll { $0.vdev == vdev }
        case let .attachNic(name, nic):
            let i = try domainIndex(name)
            hosts[hi].domains[i].nics.append(NicState(bridge: nic.bridge, mac: nic.mac ?? Fixture.mac(for: "\(name)+nic"), ip: nic.ip))
        case let .detachNic(name, mac):
            let i = try domainIndex(name)
            hosts[hi].domains[i].nics.removeAll { $0.mac.lowercased() == mac.lowercased() }
        case let .migrate(name, toHost):
            let i = try domainIndex(name)
            guard let ti = hosts.firstIndex(where: { $0.name == toHost }) else { throw Refused(description: "xl migrate: no host \(toHost)") }
            let d = hosts[hi].domains[i]
            let need = XenMemory.footprint(actual: d.memoryActual, staticMax: d.memoryStaticMax, type: d.type, maxVcpus: d.maxVcpus)
            if need > hosts[ti].freeMemory { throw Refused(description: "xl migrate \(name): \(toHost) lacks room") }
            hosts[hi].domains.remove(at: i)
            hosts[ti].domains.append(d)
            hosts[ti].recomputeFreeMemory()
        case let .shutdown(name, _), let .destroy(name):
            _ = try domainIndex(name)
            hosts[hi].domains.removeAll { $0.name == name && $0.domid != 0 }
        case let .discardMigrationCopy(name, role):
            hosts[hi].domains.removeAll { $0.name == name && $0.transient == role }
        case let .keepMigrationCopy(name, role):
            guard let i = hosts[hi].domains.firstIndex(where: { $0.name == name && $0.transient == role }) else {
                throw Refused(description: "keep: no \(name) copy (\(role.rawValue)) on \(hostName)")
            }
            hosts[hi].domains[i].transient = nil
            hosts[hi].domains[i].state = .running
        }
        hosts[hi].recomputeFreeMemory()
    }
}
