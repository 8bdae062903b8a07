import FoundationEssentials
import HostModel
import XenplanBasics

extension SimHostFile {
    /// Carries out one operation at once, refusing what Xen, LVM or `ip` would refuse
    /// with their words. No latency and no injected failures: the driver adds those.
    /// A refused operation leaves the file unchanged. Migration needs two hosts and is
    /// the driver's (`SimDriver.perform`); here it throws.
    public mutating func apply(_ operation: HostOperation, host: String, now: Date) throws {
        var copy = self
        for index in copy.domains.indices {
            copy.domains[index].settleBalloon(at: now, rate: balloonRatePerSecond)
        }
        try copy.applySettled(operation, host: host, now: now)
        self = copy
    }

    private mutating func applySettled(_ operation: HostOperation, host: String, now: Date) throws {
        func fail(_ message: String, domain: String? = nil) -> HostError {
            HostError(host: host, operation: operation.kind, domain: domain, message: message)
        }
        func index(_ identifier: String) throws -> Int {
            if identifier == "0" || identifier == "Domain-0" { throw fail(XlMessages.domain0, domain: identifier) }
            guard let i = domainIndex(identifier) else {
                throw fail(XlMessages.invalidDomain(identifier), domain: identifier)
            }
            return i
        }

        switch operation {
        case let .save(name, directory):
            let i = try index(name)
            try save(domain: i, directory: directory, fail: { fail($0, domain: name) })
        case let .restore(name, directory):
            try restore(domain: name, directory: directory, host: host, now: now, fail: { fail($0, domain: name) })
        case let .removeSave(name, directory, partial):
            try removeSave(domain: name, directory: directory, partial: partial, fail: { fail($0, domain: name) })
        case let .backup(job):
            // All steps at once; the driver spreads them over the time they take.
            let start = try beginBackup(job, now: now, fail: { fail($0, domain: job.domain) })
            endBackupPause(start)
            try finishBackup(job, start, host: host, fail: { fail($0, domain: job.domain) })
        case let .restoreVolume(container, name, size, source, replace):
            try restoreVolume(
                container: container, name: name, size: size, source: source, replace: replace,
                fail: { fail($0, domain: source.domain) })
        case let .createBridge(name, interface, vlan):
            try createBridge(name: name, interface: interface, vlan: vlan, fail: { fail($0) })
        case let .writeBridgeFile(file):
            try writeBridgeFile(file, fail: { fail($0) })
        case let .removeBridgeFile(bridge):
            removeBridgeFile(bridge)

        case let .createVolume(container, name, size):
            try createVolume(container: container, name: name, size: size, fail: { fail($0) })
        case let .growVolume(container, name, size):
            try growVolume(container: container, name: name, size: size, fail: { fail($0) })
            grew(container: container, volume: name)
        case let .removeVolume(container, name):
            try removeVolume(container: container, name: name, fail: { fail($0) })
        case let .createVolumeFromImage(container, name, size, image):
            try createVolume(container: container, name: name, size: size, from: image, host: host, fail: { fail($0) })
            wrote(container: container, volume: name, content: images[image.path].map { Self.content(ofCopy: $0, size: size) }, host: host)

        case let .writeSeed(seed):
            // Built aside and renamed into place: a domain running from the old seed keeps it.
            seeds[seed.domain] = seed.instanceId

        case let .writeConfig(config):
            // The real driver refuses to write what xl could not start, as the agent does.
            if let (field, message) = config.guestProblem {
                throw fail("domain \(config.name): cannot write its xl configuration: \(field): \(message)", domain: config.name)
            }
            configs.removeAll { $0.name == config.name }
            configs.append(config)
            configs.sort { $0.name < $1.name }
        case let .removeConfig(name):
            configs.removeAll { $0.name == name }
            seeds[name] = nil

        case let .create(name):
            guard let config = configs.first(where: { $0.name == name }) else {
                throw fail(XlMessages.noConfig(name), domain: name)
            }
            try create(from: config, host: host, now: now, fail: { fail($0, domain: name) })

        case let .setMemory(name, target):
            let i = try index(name)
            try setMemory(index: i, target: target, now: now, fail: { fail($0, domain: name) })

        case let .setVcpus(name, count):
            let i = try index(name)
            let d = domains[i]
            if count < 1 { throw fail(XlMessages.zeroVcpus(domid: d.domid), domain: name) }
            if count > d.maxVcpus {
                throw fail(XlMessages.vcpusAboveMax(domid: d.domid, requested: count, max: d.maxVcpus), domain: name)
            }
            domains[i].vcpusOnline = count

        case let .setScheduler(name, weight, cap):
            let i = try index(name)
            guard (1...65535).contains(weight) else { throw fail(XlMessages.weightOutOfRange, domain: name) }
            guard cap >= 0, cap <= 100 * domains[i].maxVcpus else { throw fail(XlMessages.capOutOfRange, domain: name) }
            domains[i].cpuWeight = weight
            domains[i].cpuCap = cap

        case let .attachDisk(name, disk):
            let i = try index(name)
            if domains[i].disks.contains(where: { $0.vdev == disk.vdev }) {
                throw fail(XlMessages.vdevInUse(disk.vdev), domain: name)
            }
            try checkDiskTarget(vdev: disk.vdev, target: disk.target, fail: { fail($0, domain: name) })
            try checkSharing(disk, of: domains[i].xlName, fail: { fail($0, domain: name) })
            domains[i].disks.append(DiskState(vdev: disk.vdev, target: disk.target, readOnly: disk.readOnly))

        case let .detachDisk(name, vdev):
            let i = try index(name)
            guard domains[i].disks.contains(where: { $0.vdev == vdev }) else {
                throw fail(XlMessages.deviceNotConnected(vdev), domain: name)
            }
            domains[i].disks.removeAll { $0.vdev == vdev }

        case let .attachNic(name, nic):
            let i = try index(name)
            guard bridges[nic.bridge] != nil else { throw fail(XlMessages.bridgeMissing(nic.bridge), domain: name) }
            let mac = nic.mac ?? SimIdentity.mac(host: host, domain: name, index: domains[i].nics.count + domains[i].domid)
            domains[i].nics.append(NicState(bridge: nic.bridge, mac: mac, ip: nic.ip))

        case let .detachNic(name, mac):
            let i = try index(name)
            guard domains[i].nics.contains(where: { $0.mac.lowercased() == mac.lowercased() }) else {
                throw fail(XlMessages.unknownNic(mac), domain: name)
            }
            domains[i].nics.removeAll { $0.mac.lowercased() == mac.lowercased() }

        case let .shutdown(name, _), let .destroy(name):
            // The driver has already waited for the guest (or the timeout); what is left
            // is the domain going away and its memory returning to the hypervisor.
            let i = try index(name)
            domains.remove(at: i)

        case let .migrate(name, _):
            throw fail("migration needs the simulated driver of both hosts", domain: name)
        case let .sendVolume(transfer):
            throw fail("a volume copy needs the simulated driver of both hosts", domain: transfer.domain)
        case let .receiveVolume(container, name, size):
            try receiveVolume(container: container, name: name, size: size, fail: { fail($0) })
        case let .commitVolume(container, name):
            try commitVolume(container: container, name: name, fail: { fail($0) })

        case let .discardMigrationCopy(name, role):
            let i = try index(name + (role == .incoming ? "--incoming" : "--migratedaway"))
            domains.remove(at: i)

        case let .keepMigrationCopy(name, role):
            let i = try index(name + (role == .incoming ? "--incoming" : "--migratedaway"))
            guard !domains.contains(where: { $0.xlName == name }) else {
                throw fail(XlMessages.nameExists(name), domain: name)
            }
            domains[i].transient = nil
            domains[i].state = .running
        }
    }

    // MARK: Domains

    /// `xl create`: memory first (xl's freemem), then the name, the disks (the seed last),
    /// the bridges.
    mutating func create(
        from config: DomainConfig, host: String, now: Date,
        fail: (String) -> HostError
    ) throws {
        let footprint = XenMemory.footprint(
            actual: config.memory, staticMax: config.maxmem, type: config.type, maxVcpus: config.maxvcpus)
        guard footprint <= freeMemory(at: now) else { throw fail(XlMessages.noMemory) }
        guard !domains.contains(where: { $0.xlName == config.name }) else {
            throw fail(XlMessages.nameExists(config.name))
        }
        let disks = Self.attachedDisks(of: config)
        for disk in disks {
            try checkDiskTarget(vdev: disk.vdev, target: disk.target, fail: fail)
            try checkSharing(disk, of: config.name, fail: fail)
        }
        for nic in config.nics where bridges[nic.bridge] == nil {
            throw fail(XlMessages.bridgeMissing(nic.bridge))
        }
        // A dom0 interface name (vifname) is the host's: another running guest may hold it.
        let running = Set(domains.map(\.name))
        let taken = Set(configs.filter { $0.name != config.name && running.contains($0.name) }.flatMap { $0.nics.compactMap(\.vifname) })
        if let name = config.nics.compactMap(\.vifname).first(where: taken.contains) { throw fail(XlMessages.vifnameInUse(name)) }
        let domid = nextDomid
        nextDomid += 1
        let nics = config.nics.enumerated().map { n, nic in
            NicState(
                bridge: nic.bridge, mac: nic.mac ?? SimIdentity.mac(host: host, domain: config.name, index: n),
                ip: nic.ip)
        }
        domains.append(
            Domain(
                name: config.name, domid: domid, uuid: config.uuid ?? SimIdentity.uuid(host: host, domain: config.name),
                type: config.type, memoryTarget: config.memory, memoryStaticMax: config.maxmem,
                vcpusOnline: config.vcpus, maxVcpus: config.maxvcpus, cpuWeight: config.cpuWeight,
                cpuCap: config.cpuCap, disks: disks.map { DiskState(vdev: $0.vdev, target: $0.target, readOnly: $0.readOnly) },
                nics: nics))
    }

    /// `xl mem-set`: at most static-max; growing takes effect at once if the hypervisor
    /// has the pages, shrinking starts the balloon driver (which may lag or never act).
    mutating func setMemory(index i: Int, target: ByteSize, now: Date, fail: (String) -> HostError) throws {
        let d = domains[i]
        guard target <= d.memoryStaticMax else { throw fail(XlMessages.memoryAboveStaticMax(domid: d.domid)) }
        if target > d.memoryActual {
            let needed = target - d.memoryActual
            let free = freeMemory(at: now)
            guard needed <= free else {
                throw fail(XlMessages.memoryGrowWithoutRoom(domid: d.domid, needed: needed, free: free))
            }
            domains[i].memoryActual = target
        }
        domains[i].memoryTarget = target
        domains[i].settleBalloon(at: now, rate: balloonRatePerSecond)
    }

    /// The block hotplug script's sharing check: no two guests of this host may use one
    /// device when either writes to it. It sees this host only: guests of other hosts on a
    /// shared volume are invisible to it, as they are to Xen.
    func checkSharing(_ disk: DomainConfig.Disk, of name: String, fail: (String) -> HostError) throws {
        for other in domains where other.xlName != name {
            if other.disks.contains(where: { $0.target == disk.target && (!$0.readOnly || !disk.readOnly) }) {
                throw fail(XlMessages.diskSharedWithGuest(disk.target))
            }
        }
    }

    /// A disk inside one of this host's containers must name an existing volume, and a
    /// seed file must have been written; a path outside them (an existing device xenplan
    /// does not manage) is taken as present.
    func checkDiskTarget(vdev: String, target: String, fail: (String) -> HostError) throws {
        if let domain = Self.seedDomain(ofTarget: target) {
            guard seeds[domain] != nil else { throw fail(XlMessages.diskMissing(vdev: vdev, target: target)) }
            return
        }
        guard let location = volumeLocation(ofTarget: target) else {
            if target.hasPrefix("/dev/"), let vg = target.split(separator: "/").dropFirst().first,
                target.split(separator: "/").count == 3, storage[String(vg)] == nil,
                target.split(separator: "/")[1] != "disk", target.split(separator: "/")[1] != "mapper"
            {
                // /dev/<vg>/<lv> of a volume group this host does not have.
                throw fail(XlMessages.diskMissing(vdev: vdev, target: target))
            }
            return
        }
        guard storage[location.container]?.volumes[location.volume] != nil else {
            throw fail(XlMessages.diskMissing(vdev: vdev, target: target))
        }
    }
}
