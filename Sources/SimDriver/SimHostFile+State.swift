import FoundationEssentials
import HostModel
import XenplanBasics

extension SimHostFile.Domain {
    /// Pages held at `now`: a guest ballooning down releases `rate` per second until it
    /// reaches its target; one without a balloon driver keeps what it has.
    public func actual(at now: Date, rate: ByteSize) -> ByteSize {
        guard balloonDriver, memoryActual > memoryTarget, let start = balloonStartedAt else { return memoryActual }
        let elapsed = max(0, now.timeIntervalSince1970 - start)
        let releasedKiB = Double(rate.kib) * elapsed
        // Beyond this the guest has reached its target anyway; keeps the Int64 conversion safe.
        guard releasedKiB < Double(memoryActual.kib - memoryTarget.kib) else { return memoryTarget }
        return max(memoryTarget, memoryActual - ByteSize(kib: Int64(releasedKiB)))
    }

    /// Folds the balloon progress made until `now` into `memoryActual`, so that the
    /// stored value can be reasoned about before changing the target again.
    mutating func settleBalloon(at now: Date, rate: ByteSize) {
        memoryActual = actual(at: now, rate: rate)
        balloonStartedAt = (balloonDriver && memoryActual > memoryTarget) ? now.timeIntervalSince1970 : nil
    }
}

extension SimHostFile {
    /// What Xen keeps for itself plus dom0's reservation: never available to guests.
    public var reservedMemory: ByteSize {
        XenMemory.hypervisorReserve(total: machine.memory) + dom0.memory
    }

    /// `xc_physinfo` free memory at `now`: total − hypervisor − dom0 − every guest's
    /// footprint (transient ones included: a migrating domain holds memory on both hosts).
    public func freeMemory(at now: Date) -> ByteSize {
        var free = machine.memory - reservedMemory
        for domain in domains {
            free -= XenMemory.footprint(
                actual: domain.actual(at: now, rate: balloonRatePerSecond),
                staticMax: domain.memoryStaticMax, type: domain.type, maxVcpus: domain.maxVcpus)
        }
        return free
    }

    /// The domain `xl` would find for `identifier`: its full name (with a transient
    /// suffix, as `xl list` shows it) or its domid.
    func domainIndex(_ identifier: String) -> Int? {
        if let id = Int(identifier) { return domains.firstIndex { $0.domid == id } }
        return domains.firstIndex { $0.xlName == identifier }
    }

    /// The container and volume name a disk target path points into, if any container
    /// of this host holds it (`/dev/<vg>/<lv>` or `<dir>/<volume>.img`, the image file the
    /// Xen driver creates and observes for a volume of a `dir` pool).
    func volumeLocation(ofTarget target: String) -> (container: String, volume: String)? {
        for (name, container) in storage {
            let prefix = container.type == .lvm ? "/dev/\(name)/" : (name.hasSuffix("/") ? name : name + "/")
            if target.hasPrefix(prefix) {
                var volume = String(target.dropFirst(prefix.count))
                if container.type == .dir {
                    guard volume.hasSuffix(Self.imageSuffix) else { continue }
                    volume = String(volume.dropLast(Self.imageSuffix.count))
                }
                if !volume.isEmpty && !volume.contains("/") { return (name, volume) }
            }
        }
        return nil
    }

    /// A `dir` pool's volume NAME is the raw file `NAME.img` (PoolSpec.devicePath, XenDriver.imagePath).
    static let imageSuffix = ".img"

    /// The path a guest's disk names for a volume.
    func devicePath(container: String, volume: String) -> String {
        guard let c = storage[container] else { return "\(container)/\(volume)" }
        switch c.type {
        case .lvm: return "/dev/\(container)/\(volume)"
        case .dir: return (container.hasSuffix("/") ? container : container + "/") + volume + Self.imageSuffix
        }
    }

    /// The host as `observe()` reports it at `now`.
    public func hostState(name: String, at now: Date) -> HostState {
        let dom0State = DomainState(
            name: "Domain-0", domid: 0, uuid: "00000000-0000-0000-0000-000000000000", state: .running,
            memoryTarget: dom0.memory, memoryStaticMax: dom0.memory, memoryActual: dom0.memory,
            vcpusOnline: dom0.vcpus, maxVcpus: dom0.vcpus)
        let guests = domains.sorted { $0.domid < $1.domid }.map { d in
            DomainState(
                name: d.name, domid: d.domid, uuid: d.uuid, state: d.state, transient: d.transient,
                memoryTarget: d.memoryTarget, memoryStaticMax: d.memoryStaticMax,
                memoryActual: d.actual(at: now, rate: balloonRatePerSecond), vcpusOnline: d.vcpusOnline,
                maxVcpus: d.maxVcpus, cpuWeight: d.cpuWeight, cpuCap: d.cpuCap, type: d.type,
                disks: d.disks, nics: d.nics)
        }
        let volumes = storage.keys.sorted().flatMap { container in
            storage[container]!.volumes.keys.sorted().map { volume in
                VolumeState(
                    container: container, name: volume, size: storage[container]!.volumes[volume]!,
                    owned: storage[container]!.owned.contains(volume))
            }
        }
        let bridgeStates = bridges.keys.sorted().map { name in
            BridgeState(name: name, interfaces: bridges[name]!, vlans: bridges[name]!.compactMap { vlans[$0] })
        }
        // Every image file the host has: the simulated host knows no list of declared paths.
        let imageStates = images.keys.sorted().map { path in
            ImageState(
                path: path, fileSize: images[path]!.fileSize, virtualSize: images[path]!.virtualSize,
                format: images[path]!.format)
        }
        // Every backup of every `dir` pool, named by the pool's directory.
        let backupRecords = storage.keys.sorted().flatMap { container in
            storage[container]!.backups.sorted {
                $0.domain != $1.domain ? $0.domain < $1.domain : Self.backupOrder($0.id, $1.id)
            }.map { record in
                var record = record
                record.directory = container
                return record
            }
        }
        return HostState(
            name: name, xenVersion: machine.xenVersion, totalMemory: machine.memory,
            freeMemory: freeMemory(at: now), cpus: machine.cpus, dom0Memory: dom0.memory,
            domains: [dom0State] + guests, configs: configs.sorted { $0.name < $1.name },
            volumes: volumes, bridges: bridgeStates, images: imageStates, seeds: seeds.keys.sorted(),
            saves: saves.sorted { $0.path < $1.path }, backups: backupRecords, persistence: network?.persistence)
    }
}
