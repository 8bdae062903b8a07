import HostModel

/// One step in a generated lab's life: maybe a new version of the manifests, maybe
/// changes made behind xenplan's back, maybe faults and an interruption, then an apply
/// with the given gates. Values are concrete (no randomness left), so that a shrunk case
/// replays exactly; a step whose domain or group no longer exists does nothing.
public struct LabTransition: Hashable, Sendable {
    public var change: LabChange?
    /// `xenplan sim xl HOST …` commands run before the apply.
    public var outOfBand: [OutOfBandChange]
    /// `xenplan sim fail HOST OPERATION --times N` before the apply.
    public var faults: [InjectedFault]
    public var interruption: ApplyInterruption?
    public var gates: ApplyGates
    /// `xenplan backup` (every domain with a policy) before the apply, with the step's faults.
    public var backupFirst: Bool
    /// `xenplan restore DOMAIN --as NEWNAME` of the newest backup, before the apply.
    public var restoreAs: RestoreRequest?

    public init(
        change: LabChange? = nil, outOfBand: [OutOfBandChange] = [], faults: [InjectedFault] = [],
        interruption: ApplyInterruption? = nil, gates: ApplyGates = ApplyGates(), backupFirst: Bool = false,
        restoreAs: RestoreRequest? = nil
    ) {
        self.backupFirst = backupFirst
        self.restoreAs = restoreAs
        self.change = change
        self.outOfBand = outOfBand
        self.faults = faults
        self.interruption = interruption
        self.gates = gates
    }

    /// Whether the apply of this step is meant to end short of the goal: a fault the
    /// drivers absorb (a create tried again) disturbs nothing.
    public var isDisturbed: Bool { faults.contains { !$0.isAbsorbed } || interruption != nil }

    public var description: String {
        var parts: [String] = []
        if let change { parts.append(change.description) }
        if backupFirst { parts.append("backup") }
        if let restoreAs { parts.append("restore \(restoreAs.domain) --as \(restoreAs.newName)") }
        for c in outOfBand { parts.append("sim xl \(c.host) \(c.argv.joined(separator: " "))") }
        for f in faults {
            parts.append("sim fail \(f.host) \(f.operation) --times \(f.times)" + (f.message.map { " --message '\($0)'" } ?? ""))
        }
        if let interruption { parts.append(interruption.description) }
        parts.append("apply" + gates.flags)
        return parts.joined(separator: "; ")
    }
}

/// A new version of the manifests.
public enum LabChange: Hashable, Sendable, CustomStringConvertible {
    case addDomain(DomainBlueprint)
    case removeDomain(String)
    case resize(String, memory: Int, maxmem: Int, vcpus: Int, maxvcpus: Int)
    /// A new declared host (nil: let the planner place it).
    case move(String, host: String?)
    case setStopped(String, Bool)
    case setQuota(group: String, memory: Int?, vcpus: Int?)
    case setProtect(String, Bool)
    case setRestartAllowed(String, Bool)
    /// The manifest file goes away with every domain it declares.
    case dropFile(String)
    /// A seeded guest's declared host name and `identityChanges`.
    case setIdentity(String, hostname: String?, nextBoot: Bool)
    /// `state: suspended` (true) or `state: running` (false).
    case setSuspended(String, Bool)
    /// `type: hvm` with these devices (nil: pv), and the rate of every interface.
    case setDevices(String, hvm: HvmBlueprint?, rate: String?)
    /// A new declared host for a guest with disks on its host's local pools: each such
    /// disk declared on the new host's first local LVM pool, and `restart: allowed`, so
    /// that it moves cold (its volumes copied over).
    case moveCold(String, host: String)

    public var description: String {
        switch self {
        case let .addDomain(d): return "add domain \(d.name)" + (d.host.map { " on \($0)" } ?? "")
        case let .removeDomain(d): return "remove domain \(d)"
        case let .resize(d, m, mm, v, mv): return "resize \(d) to memory \(m)M maxmem \(mm)M vcpus \(v) maxvcpus \(mv)"
        case let .move(d, h): return "declare \(d) on " + (h ?? "no host")
        case let .setStopped(d, s): return "declare \(d) \(s ? "stopped" : "running")"
        case let .setQuota(g, m, v): return "quota of \(g): memory \(m.map { "\($0)M" } ?? "none"), vcpus \(v.map(String.init) ?? "none")"
        case let .setProtect(d, p): return "\(p ? "protect" : "unprotect") \(d)"
        case let .setRestartAllowed(d, a): return "restart of \(d): \(a ? "allowed" : "never")"
        case let .dropFile(f): return "drop \(f)"
        case let .setIdentity(d, h, n): return "identity of \(d): hostname \(h ?? d), \(n ? "next-boot" : "first-boot")"
        case let .setSuspended(d, s): return "declare \(d) \(s ? "suspended" : "running")"
        case let .setDevices(d, hvm, rate):
            let guest = hvm.map { "hvm" + ($0.uefi ? " uefi" : " bios") + ($0.cdrom ? " with a CD-ROM" : "") } ?? "pv"
            return "\(d) as \(guest), interfaces at \(rate ?? "any rate")"
        case let .moveCold(d, h): return "declare \(d) on \(h), its local disks on \(h)'s pool, restart allowed"
        }
    }

    /// The blueprint after the change, or nil when it no longer applies (its domain or
    /// group is gone) or would make the lab invalid.
    public func applied(to lab: LabBlueprint) -> LabBlueprint? {
        var next = lab
        func edit(_ name: String, _ body: (inout DomainBlueprint) -> Void) -> Bool {
            guard let i = next.domains.firstIndex(where: { $0.name == name }) else { return false }
            body(&next.domains[i])
            return true
        }
        var ok = true
        switch self {
        case let .addDomain(d):
            ok = next.domain(d.name) == nil
            next.domains.append(d)
        case let .removeDomain(name):
            ok = next.domain(name) != nil
            next.domains.removeAll { $0.name == name }
        case let .resize(name, memory, maxmem, vcpus, maxvcpus):
            ok = edit(name) {
                $0.memory = memory; $0.maxmem = maxmem; $0.vcpus = vcpus; $0.maxvcpus = maxvcpus
            }
        case let .move(name, host):
            ok = edit(name) { $0.host = host }
        case let .setStopped(name, stopped):
            ok = edit(name) {
                $0.stopped = stopped; $0.suspended = false
            }
        case let .setSuspended(name, suspended):
            ok = edit(name) {
                $0.suspended = suspended; $0.stopped = false
            }
        case let .setDevices(name, hvm, rate):
            ok = edit(name) {
                $0.hvm = hvm
                for i in $0.nics.indices { $0.nics[i].rate = rate }
            }
        case let .setQuota(group, memory, vcpus):
            guard let i = next.groups.firstIndex(where: { $0.name == group }) else { return nil }
            next.groups[i].memory = memory
            next.groups[i].vcpus = vcpus
        case let .setProtect(name, protect):
            ok = edit(name) { $0.protect = protect }
        case let .setRestartAllowed(name, allowed):
            ok = edit(name) { $0.restartAllowed = allowed }
        case let .setIdentity(name, hostname, nextBoot):
            ok = edit(name) {
                $0.hostname = hostname; $0.nextBoot = nextBoot
            }
        case let .moveCold(name, host):
            guard let d = next.domain(name), let from = d.host, from != host,
                let local = next.pools(reachableFrom: host).first(where: { $0.hosts == [host] && !$0.kind.isDirectory })
            else { return nil }
            ok = edit(name) { domain in
                for i in domain.disks.indices where lab.effectivePool(of: domain.disks[i], in: d)?.hosts == [from] {
                    domain.disks[i].pool = local.name
                }
                domain.host = host
                domain.restartAllowed = true
            }
        case let .dropFile(file):
            ok = next.domains.contains { $0.file == file }
            next.domains.removeAll { $0.file == file }
        }
        guard ok, next.problems().isEmpty else { return nil }
        return next
    }
}

/// `xenplan restore DOMAIN --as NEWNAME`.
public struct RestoreRequest: Hashable, Sendable {
    public var domain: String
    public var newName: String
    public init(domain: String, newName: String) {
        self.domain = domain
        self.newName = newName
    }
}

/// `xenplan sim xl HOST ARGV…`: a person with `xl` on a dom0.
public struct OutOfBandChange: Hashable, Sendable {
    public var host: String
    public var argv: [String]
    public init(host: String, argv: [String]) {
        self.host = host
        self.argv = argv
    }
}

/// `xenplan sim fail HOST OPERATION --times N`.
public struct InjectedFault: Hashable, Sendable {
    public var host: String
    public var operation: String
    public var times: Int
    /// What the operations fail with; nil: the simulator's own words.
    public var message: String?
    public init(host: String, operation: String, times: Int, message: String? = nil) {
        self.host = host
        self.operation = operation
        self.times = times
        self.message = message
    }

    /// libxl killing a hotplug script at its deadline, as a loaded dom0 shows it.
    public static let hotplugTimeout =
        "libxl: error: libxl_aoutils.c:539:async_exec_timeout: killing execution of /etc/xen/scripts/block add because of timeout"

    /// A create that fails fewer times than it is tried: the apply never sees it.
    public var isAbsorbed: Bool {
        operation == "create" && message.map(CreateRetry.isHotplugTimeout) == true && times < CreateRetry.attempts
    }
}

/// How an apply is cut short.
public enum ApplyInterruption: Hashable, Sendable, CustomStringConvertible {
    /// Ctrl-C once the `n`-th action (from 1) has started: running actions finish.
    case stopAfterStarting(Int)
    /// The process dies after `n` host operations: every later one fails, as nothing of
    /// a killed apply reaches the hosts. With `midOperation`, a migration that would run
    /// next is cut while its guest is being copied.
    case crashAfterOperations(Int, midOperation: Bool)

    public var description: String {
        switch self {
        case let .stopAfterStarting(n): return "interrupt once action \(n) has started"
        case let .crashAfterOperations(n, mid): return "killed after \(n) operations" + (mid ? " (mid-operation)" : "")
        }
    }
}

/// What the person running the apply allows.
public struct ApplyGates: Hashable, Sendable {
    public var allowDestroy: Bool
    public var allowDataLoss: Bool
    public var allowRestart: Bool

    public init(allowDestroy: Bool = false, allowDataLoss: Bool = false, allowRestart: Bool = false) {
        self.allowDestroy = allowDestroy
        self.allowDataLoss = allowDataLoss
        self.allowRestart = allowRestart
    }

    public var flags: String {
        (allowDestroy ? " --allow-destroy" : "") + (allowDataLoss ? " --allow-data-loss" : "")
            + (allowRestart ? " --allow-restart" : "")
    }
}
