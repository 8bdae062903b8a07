import FoundationEssentials
import HostModel
import XenplanBasics

extension SimXlCommand {
    /// Volume changes go through the driver's path (shared containers change everywhere).
    var volumeOperation: HostOperation? {
        if case let .operation(op) = self {
            switch op {
            case .createVolume, .removeVolume, .growVolume: return op
            default: return nil
            }
        }
        return nil
    }

    /// The containers whose sharing hosts see the change too (save files and written
    /// volumes of shared pools); empty for the rest.
    var sharedContainers: [String] {
        switch self {
        case let .operation(.save(_, directory)), let .operation(.restore(_, directory)),
            let .operation(.removeSave(_, directory, _)):
            return [directory]
        case let .writeVolume(container, _): return [container]
        default: return []
        }
    }

    var confirmation: String {
        switch self {
        case let .operation(op):
            switch op {
            case let .setMemory(d, t): return "\(d): memory target set to \(t)"
            case let .setVcpus(d, n): return "\(d): \(n) vCPU\(n == 1 ? "" : "s") online"
            case let .destroy(d): return "\(d): destroyed"
            case let .removeConfig(n): return "\(n): configuration removed; the domain is unmanaged now"
            case let .createVolume(c, n, s): return "volume \(c)/\(n) created (\(s))"
            case let .removeVolume(c, n): return "volume \(c)/\(n) removed"
            case let .createBridge(b, i, v): return "bridge \(b) added" + (i.map { " with \($0)" + (v.map { ".\($0)" } ?? "") } ?? "")
            case let .removeBridgeFile(b): return "\(BridgeFile.fileName(bridge: b)) removed"
            case let .save(d, dir): return "\(d): saved to \(SaveState.path(directory: dir, domain: d))"
            case let .restore(d, dir): return "\(d): restored from \(SaveState.path(directory: dir, domain: d))"
            case let .removeSave(d, dir, _): return "\(SaveState.path(directory: dir, domain: d)) removed"
            default: return "\(op.kind): done"
            }
        case let .createUnmanaged(config, _, _): return "\(config.name): created (unmanaged)"
        case let .personShutdown(d): return "\(d): shut down"
        case let .crash(d): return "\(d): crashed"
        case let .noBalloon(d): return "\(d): balloon driver disabled"
        case let .ignoreShutdown(d): return "\(d): ignores shutdown requests now"
        case let .schedCredit(d, _, _): return "\(d): scheduler parameters set"
        case let .addContainer(c, size, shared): return "\(c): \(size)\(shared ? ", shared" : "") added"
        case let .setLatency(kind, seconds): return "latency of \(kind) set to \(seconds) s"
        case let .setBalloonRate(rate): return "balloon rate set to \(rate) per second"
        case let .writeVolume(c, n): return "volume \(c)/\(n) written"
        case .reboot: return "rebooted: no guest runs; bridges without an ifupdown file are gone"
        case let .editBridgeFile(b): return "\(BridgeFile.fileName(bridge: b)) changed by hand"
        }
    }

    /// Applies the command to `file`; returns the confirmation. Refusals are `HostError`s
    /// with xl's messages; the file is unchanged when one is thrown.
    func apply(to file: inout SimHostFile, host: String, now: Date) throws -> String {
        func fail(_ kind: String, _ domain: String?, _ message: String) -> HostError {
            HostError(host: host, operation: kind, domain: domain, message: message)
        }
        func index(_ kind: String, _ domain: String) throws -> Int {
            guard domain != "0", domain != "Domain-0" else { throw fail(kind, domain, XlMessages.domain0) }
            guard let i = file.domainIndex(domain) else { throw fail(kind, domain, XlMessages.invalidDomain(domain)) }
            return i
        }
        var copy = file
        switch self {
        case let .operation(op):
            try copy.apply(op, host: host, now: now)
            // A person's lvcreate carries no xenplan tag.
            if case let .createVolume(c, volume, _) = op { copy.storage[c]?.setOwned(volume, false) }
        case let .createUnmanaged(config, balloon, ignores):
            for i in copy.domains.indices { copy.domains[i].settleBalloon(at: now, rate: copy.balloonRatePerSecond) }
            try copy.create(from: config, host: host, now: now) { fail("create", config.name, $0) }
            copy.domains[copy.domains.count - 1].balloonDriver = balloon
            copy.domains[copy.domains.count - 1].ignoresShutdown = ignores
        case let .personShutdown(d):
            let i = try index("shutdown", d)
            if copy.domains[i].ignoresShutdown && copy.domains[i].state.isUp {
                return "\(d): shutdown requested, but the guest ignores it"
            }
            copy.domains.remove(at: i)
        case let .crash(d):
            copy.domains[try index("crash", d)].state = .crashed
        case let .noBalloon(d):
            let i = try index("no-balloon", d)
            // Pages already released stay released; from now on nothing more comes back.
            copy.domains[i].settleBalloon(at: now, rate: copy.balloonRatePerSecond)
            copy.domains[i].balloonDriver = false
            copy.domains[i].balloonStartedAt = nil
        case let .ignoreShutdown(d):
            copy.domains[try index("ignore-shutdown", d)].ignoresShutdown = true
        case let .schedCredit(d, weight, cap):
            let i = try index("sched-credit", d)
            try copy.apply(
                .setScheduler(
                    domain: d, weight: weight ?? copy.domains[i].cpuWeight,
                    cap: cap ?? copy.domains[i].cpuCap), host: host, now: now)
        case let .addContainer(name, capacity, shared):
            guard copy.storage[name] == nil else {
                throw fail("vgcreate", nil, "A volume group called \(name) already exists.")
            }
            copy.storage[name] = SimHostFile.Container(
                type: name.hasPrefix("/") ? .dir : .lvm, capacity: capacity,
                shared: shared)
        case let .setLatency(kind, seconds):
            copy.latencies[kind] = seconds
        case let .setBalloonRate(rate):
            for i in copy.domains.indices { copy.domains[i].settleBalloon(at: now, rate: copy.balloonRatePerSecond) }
            copy.balloonRatePerSecond = rate
        case let .writeVolume(c, n):
            guard copy.storage[c]?.volumes[n] != nil else {
                throw fail("write", nil, copy.missingVolumeMessage(container: c, volume: n))
            }
            copy.wrote(container: c, volume: n, host: host)
        case .reboot:
            copy.reboot()
        case let .editBridgeFile(b):
            try copy.editBridgeFile(b) { fail("edit-bridge-file", nil, $0) }
        }
        file = copy
        return confirmation
    }
}
