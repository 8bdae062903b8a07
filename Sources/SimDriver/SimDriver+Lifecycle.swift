import FoundationEssentials
import HostModel
import XenplanBasics

extension SimDriver {
    // MARK: Shutdown

    /// Graceful shutdown, then `xl destroy` once `timeoutSeconds` have passed: a guest
    /// takes the `shutdown` latency to stop; one flagged `ignoresShutdown` never does and
    /// is destroyed when the timeout (scaled by `speed`) runs out. A crashed or already
    /// shut-down domain is destroyed at once. Either way the domain is gone on return.
    func shutdown(_ domain: String, timeoutSeconds: Int) async throws {
        let fail = { (message: String) in
            HostError(host: self.hostName, operation: "shutdown", domain: domain, message: message)
        }
        let (uuid, wait): (String, Double) = try store.withLocks([hostName]) { session in
            let file = try session.file(hostName)
            if domain == "0" || domain == "Domain-0" { throw fail(XlMessages.domain0) }
            guard let i = file.domainIndex(domain) else { throw fail(XlMessages.invalidDomain(domain)) }
            let d = file.domains[i]
            if !d.state.isUp { return (d.uuid, 0) }
            let timeout = Double(max(0, timeoutSeconds))
            if d.ignoresShutdown { return (d.uuid, timeout) }
            return (d.uuid, min(file.latencies["shutdown"] ?? 0, timeout))
        }
        try await sleep(wait)
        try await change { file in
            // Gone already (someone ran `xl destroy` meanwhile) is as good as shut down.
            file.domains.removeAll { $0.uuid == uuid && $0.xlName == domain }
        }
    }

    // MARK: Migration

    /// `xl migrate DOMAIN HOST` between two simulated hosts of the same state directory.
    /// Checked like Xen would fail it: the target must exist, run the same Xen version,
    /// have every bridge and every disk's volume, no domain of that name, and room for the
    /// domain's pages. While the copy runs (the `migrate` latency) the domain exists twice:
    /// `NAME--migratedaway` here and `NAME--incoming` there, each holding its memory; an
    /// interrupted migration leaves exactly that behind.
    func migrate(_ domain: String, to target: String) async throws {
        let hostName = self.hostName
        let fail: @Sendable (String) -> HostError = { message in
            HostError(host: hostName, operation: "migrate", domain: domain, message: message)
        }
        guard target != hostName else { throw fail(XlMessages.migrateToSelf) }
        guard Syntax.isName(target) else { throw fail(SimError.invalidHostName(target).message) }
        let now = clock.now()
        let (uuid, latency): (String, Double) = try await store.commit([hostName, target]) { session in
            var source = try session.file(hostName)
            guard let i = source.domainIndex(domain), source.domains[i].transient == nil else {
                throw fail(XlMessages.invalidDomain(domain))
            }
            var destination: SimHostFile
            do {
                destination = try session.file(target)
            } catch let error as SimError {
                throw fail(XlMessages.migrationTarget(target, error.message))
            }
            try Self.checkMigration(
                of: source.domains[i], from: source, to: destination, targetHost: target,
                now: now, fail: fail)
            for j in source.domains.indices {
                source.domains[j].settleBalloon(at: now, rate: source.balloonRatePerSecond)
            }
            for j in destination.domains.indices {
                destination.domains[j].settleBalloon(at: now, rate: destination.balloonRatePerSecond)
            }
            var incoming = source.domains[i]
            incoming.domid = destination.nextDomid
            incoming.transient = .incoming
            incoming.settleBalloon(at: now, rate: destination.balloonRatePerSecond)
            destination.nextDomid += 1
            destination.domains.append(incoming)
            source.domains[i].transient = .migratedAway
            session.update(hostName, source)
            session.update(target, destination)
            return (incoming.uuid, source.latencies["migrate"] ?? 0)
        }
        try await sleep(latency)
        try await store.commit([hostName, target]) { session in
            var source = try session.file(hostName)
            var destination = try session.file(target)
            guard let j = destination.domains.firstIndex(where: { $0.uuid == uuid && $0.transient == .incoming }) else {
                // Someone destroyed the incoming copy: the source keeps running, as Xen resumes it.
                if let i = source.domains.firstIndex(where: { $0.uuid == uuid && $0.transient == .migratedAway }) {
                    source.domains[i].transient = nil
                    session.update(hostName, source)
                }
                throw fail(XlMessages.migrationTarget(target, "domain \(domain)--incoming disappeared; resumed here"))
            }
            destination.domains[j].transient = nil
            source.domains.removeAll { $0.uuid == uuid && $0.transient == .migratedAway }
            session.update(hostName, source)
            session.update(target, destination)
        }
    }

    /// Everything `xl migrate` needs on the receiving side, in the order it would fail.
    static func checkMigration(
        of domain: SimHostFile.Domain, from source: SimHostFile, to destination: SimHostFile,
        targetHost: String, now: Date, fail: (String) -> HostError
    ) throws {
        guard destination.machine.xenVersion == source.machine.xenVersion else {
            throw fail(
                XlMessages.versionMismatch(
                    source: source.machine.xenVersion,
                    target: destination.machine.xenVersion, targetHost: targetHost))
        }
        func onTarget(_ message: String) -> HostError { fail(XlMessages.migrationTarget(targetHost, message)) }
        let footprint = XenMemory.footprint(
            actual: domain.actual(at: now, rate: source.balloonRatePerSecond),
            staticMax: domain.memoryStaticMax, type: domain.type, maxVcpus: domain.maxVcpus)
        guard footprint <= destination.freeMemory(at: now) else { throw onTarget(XlMessages.noMemory) }
        if destination.domains.contains(where: { $0.name == domain.name }) {
            throw onTarget(XlMessages.nameExists(domain.name))
        }
        for disk in domain.disks {
            if let location = source.volumeLocation(ofTarget: disk.target),
                destination.storage[location.container]?.volumes[location.volume] == nil
            {
                throw onTarget(XlMessages.diskMissing(vdev: disk.vdev, target: disk.target))
            }
            try destination.checkDiskTarget(vdev: disk.vdev, target: disk.target, fail: onTarget)
            try destination.checkSharing(
                DomainConfig.Disk(vdev: disk.vdev, target: disk.target, readOnly: disk.readOnly),
                of: domain.xlName, fail: onTarget)
        }
        for nic in domain.nics where destination.bridges[nic.bridge] == nil {
            throw onTarget(XlMessages.bridgeMissing(nic.bridge))
        }
    }
}
