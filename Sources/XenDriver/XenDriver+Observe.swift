import FoundationEssentials
import HostModel
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension XenDriver {
    /// One batched pass: a handful of libxenctrl calls, one xenstore transaction (read in
    /// pipelined batches on xenstored's socket when there is one), the
    /// config directory, sysfs for bridges, a `stat` per image file, the first bytes of
    /// each declared disk image, the seed directory, and one `lvs` only when the host has
    /// declared volume groups (a process costs hundreds of ms on a loaded dom0).
    public func observe() async throws -> HostState {
        var trace = ObservationTrace()
        // Files, image files and lvs share nothing with the hypervisor and xenstore: read
        // them while those answer.
        async let storage = observeFiles()
        let bridges = try observeBridges()
        let persistence = observePersistence()
        trace.mark("bridges")
        let physical: PhysicalInfo, infos: [DomainInfo], version: String
        var schedule: [UInt16: SchedulerParameters] = [:]
        do {
            physical = try hypervisor.physicalInfo()
            infos = try hypervisor.domainInfoList()
            version = try hypervisor.version()
            for info in infos where !info.isDying {
                schedule[info.domid] = try? hypervisor.schedulerParameters(domid: info.domid)
            }
        } catch {
            throw failure("observe", "the hypervisor did not answer: \(error)")
        }
        trace.mark("hypervisor")
        let entries: [Int: XenStoreDomain]
        do {
            entries = try XenStoreSnapshot.read(
                store, socket: xenstoreSocket,
                hvmContainers: Set(infos.filter { $0.flags & 2 != 0 }.map { Int($0.domid) }))
        } catch {
            throw failure("observe", "cannot read xenstore: \(error)")
        }
        trace.mark("xenstore")
        let (configs, allVolumes, images, seeds, saves, backups) = try await storage
        let domains = infos.map {
            Self.withoutCdrom(Self.domainState($0, entries[Int($0.domid)], schedule[$0.domid]), configs: configs)
        }
        trace.mark("then files and lvs")
        trace.finish(host: hostName)
        let dom0 = infos.first { $0.domid == 0 }
        return try HostStateLimits.checked(
            HostState(
                name: hostName, xenVersion: version, totalMemory: Self.pages(physical.totalPages),
                freeMemory: Self.pages(physical.freePages), cpus: physical.cpus,
                dom0Memory: dom0.map { Self.pages($0.totPages) } ?? .zero,
                domains: domains, configs: configs, volumes: allVolumes, bridges: bridges,
                images: images, seeds: seeds, saves: saves, backups: backups, persistence: persistence), host: hostName)
    }

    static func pages(_ n: UInt64) -> ByteSize { ByteSize(kib: Int64(clamping: n)) * 4 }

    /// Merges the hypervisor's actual values with xenstore's requested ones.
    static func domainState(_ info: DomainInfo, _ xs: XenStoreDomain?, _ sched: SchedulerParameters?) -> DomainState {
        let fullName = xs?.name ?? "domain-\(info.domid)"
        let (name, transient) = splitTransient(fullName)
        let actual = pages(info.totPages)
        let type = xs?.type ?? (info.flags & 2 != 0 ? "hvm" : "pv")
        return DomainState(
            name: name, domid: Int(info.domid), uuid: info.uuid, state: runState(info), transient: transient,
            memoryTarget: xs?.memoryTargetKiB.map { ByteSize(kib: $0) } ?? actual,
            memoryStaticMax: xs?.staticMaxKiB.map { ByteSize(kib: $0) } ?? pages(info.maxPages),
            memoryActual: actual, vcpusOnline: Int(info.onlineVcpus), maxVcpus: info.maxVcpus,
            cpuWeight: sched?.weight ?? 256, cpuCap: sched?.cap ?? 0, type: type,
            disks: (xs?.disks ?? []).map { DiskState(vdev: $0.vdev, target: $0.target, readOnly: $0.mode == "r") },
            nics: (xs?.nics ?? []).map { NicState(bridge: $0.bridge, mac: $0.mac, ip: $0.ip) })
    }

    /// An hvm guest's CD-ROM is one of its firmware devices, kept in its configuration,
    /// not one of the disks xenplan attaches and detaches: the read-only device at the
    /// CD-ROM's place of a guest whose configuration has one is left out of its disks.
    static func withoutCdrom(_ d: DomainState, configs: [DomainConfig]) -> DomainState {
        guard configs.contains(where: { $0.name == d.name && $0.hvm?.cdrom != nil }) else { return d }
        var d = d
        d.disks.removeAll { Self.isCdromVdev($0.vdev) && $0.readOnly }
        return d
    }

    static func isCdromVdev(_ vdev: String) -> Bool {
        (vdev.hasPrefix("/dev/") ? String(vdev.dropFirst(5)) : vdev) == DomainConfig.Hvm.cdromVdev
    }

    /// `name--incoming` / `name--migratedaway`: the names libxl gives during `xl migrate`.
    public static func splitTransient(_ fullName: String) -> (String, TransientRole?) {
        for (suffix, role) in [("--incoming", TransientRole.incoming), ("--migratedaway", .migratedAway)]
        where fullName.hasSuffix(suffix) && fullName.count > suffix.count {
            return (String(fullName.dropLast(suffix.count)), role)
        }
        return (fullName, nil)
    }

    /// The `xl list` state letters as one value; dying and crashed win over the rest.
    public static func runState(_ info: DomainInfo) -> RunState {
        if info.isDying { return .dying }
        if info.isShutdown { return info.shutdownReason == 3 ? .crashed : .shutdown }
        if info.flags & 8 != 0 { return .paused }
        if info.flags & 32 != 0 { return .running }
        return .blocked
    }

    /// The configuration files xenplan owns, with `autostart` from the `/etc/xen/auto` link.
    func readConfigs() throws -> [DomainConfig] {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: paths.configDirectory) else { return [] }
        var configs: [DomainConfig] = []
        for file in names.sorted() where file.hasSuffix(".cfg") {
            let path = paths.configDirectory + "/" + file
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw failure("observe", "cannot read \(path)")
            }
            var config: DomainConfig
            do {
                config = try XlConfig.parse(text, file: path)
            } catch {
                throw failure("observe", "\(error.message): restore it with `xenplan apply` or remove it to stop managing the domain")
            }
            config.autostart = (try? manager.destinationOfSymbolicLink(atPath: paths.autoLink(config.name))) != nil
            configs.append(config)
        }
        return configs
    }

    /// xenplan's configuration files, the volumes (image files and `lvs`), the declared
    /// disk images, the seeds, the save files and the backups' records.
    func observeFiles() async throws -> (
        configs: [DomainConfig], volumes: [VolumeState], images: [ImageState], seeds: [String], saves: [SaveState],
        backups: [BackupRecord]
    ) {
        async let lvm = observeVolumes()
        let configs = try readConfigs()
        let volumes = try imageVolumes()
        let images = try observeImages()
        return (configs, try await lvm + volumes, images, observeSeeds(), observeSaves(), observeBackups())
    }

    func observeVolumes() async throws -> [VolumeState] {
        guard !paths.volumeGroups.isEmpty else { return [] }
        let command: [String]
        do { command = try LVMReport.command(volumeGroups: paths.volumeGroups) } catch { throw failure("observe", "\(error)") }
        let result: CommandResult
        do {
            result = try await runner.run(command, stdin: nil, timeout: deadlines.observe)
        } catch let error as SpawnError where error.code == ENOENT {
            return []  // No LVM tools: no volume groups. Creating a volume will say so.
        } catch {
            throw failure("observe", "\(error)")
        }
        guard result.status == 0 else {
            throw failure(
                "observe",
                "`\(command.joined(separator: " "))` exited with status \(result.status): \(result.stderr.trimmingWhitespace())"
            )
        }
        do { return try LVMReport.parse(result.stdout) } catch { throw failure("observe", "\(error)") }
    }

    func observeBridges() throws -> [BridgeState] {
        let vlans = observeVlans()
        do {
            return try SysfsBridges.read(root: paths.sysClassNet).map { bridge in
                var bridge = bridge
                bridge.vlans = bridge.interfaces.compactMap { vlans[$0] }
                return bridge
            }
        } catch {
            throw failure("observe", "\(error)")
        }
    }

    /// Raw image files of `dir` pools: `<dir>/<name>.img`, size from `stat`.
    func imageVolumes() throws -> [VolumeState] {
        var volumes: [VolumeState] = []
        for dir in paths.imageDirectories {
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for file in files.sorted() where file.hasSuffix(".img") {
                var st = stat()
                guard stat(dir + "/" + file, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
                volumes.append(
                    VolumeState(
                        container: dir, name: String(file.dropLast(4)), size: ByteSize(kib: Int64(st.st_size) / 1024),
                        owned: Self.isOwnedImage(dir + "/" + file)))
            }
        }
        return volumes
    }
}
