import HostModel
import XenplanBasics

/// How much an action disturbs a running guest, from nothing to losing data. Ordered, so
/// that `--max-disruption CLASS` is a comparison.
public enum Disruption: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
    case none
    case live
    case pause
    case restart
    case destroy
    case dataLoss = "data-loss"

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Disruption, b: Disruption) -> Bool { a.rank < b.rank }
}

/// The kinds of planned action (SPEC §5). The raw value is what the JSON plan and the
/// journal say.
public enum ActionKind: String, Codable, Hashable, Sendable, CaseIterable {
    case createBridge = "create-bridge"
    case createVolume = "create-volume"
    case growVolume = "grow-volume"
    case create
    case start
    case setMemory = "set-memory"
    case setVcpus = "set-vcpus"
    case setScheduler = "set-scheduler"
    case attachDisk = "attach-disk"
    case detachDisk = "detach-disk"
    case attachNic = "attach-nic"
    case detachNic = "detach-nic"
    case migrate
    case restart
    case stop
    case destroy
    case removeVolume = "remove-volume"
    /// Write xenplan's configuration for a domain that exists but was not created by
    /// xenplan (adoption), or whose configuration differs only in bookkeeping.
    case writeConfig = "write-config"
    /// Settle what an interrupted migration left: discard the half-built copy, and run
    /// the surviving one under its own name.
    case recoverMigration = "recover-migration"
    /// Remove a configuration of a domain that runs on another host (a reboot of this
    /// host would start a second copy on the same disks).
    case removeStaleConfig = "remove-stale-config"

    /// `+` creates, `~` changes in place, `→` moves, `-` removes.
    public var symbol: String {
        switch self {
        case .createBridge, .createVolume, .create, .start: return "+"
        case .growVolume, .setMemory, .setVcpus, .setScheduler, .attachDisk, .detachDisk, .attachNic, .detachNic,
             .restart, .writeConfig, .recoverMigration:
            return "~"
        case .migrate: return "→"
        case .stop, .destroy, .removeVolume, .removeStaleConfig: return "-"
        }
    }
}

/// One step of a plan: what happens, where, why, how disruptive, and exactly which host
/// operations the executor performs for it.
public struct PlannedAction: Codable, Hashable, Sendable {
    /// Index in `Plan.actions`.
    public var id: Int
    public var kind: ActionKind
    /// The host the operations run on (for a migration: the source host).
    public var host: String
    public var domain: String?
    /// For a migration: the receiving host.
    public var targetHost: String?
    /// What changes, for people: `256 MiB → 512 MiB, live (maxmem 1 GiB)`.
    public var summary: String
    /// Why the action exists, and why it is ordered where it is.
    public var reason: String
    public var disruption: Disruption
    /// Exactly what the executor performs on `host`, in order.
    public var operations: [HostOperation]
    /// Ids of the actions that must have completed first.
    public var dependsOn: [Int]
    /// A memory decrease: the step completes only when the domain's actual memory has
    /// reached its target (the balloon driver gives pages back over time).
    public var waitsForBalloon: Bool

    public init(id: Int, kind: ActionKind, host: String, domain: String? = nil, targetHost: String? = nil,
                summary: String, reason: String, disruption: Disruption, operations: [HostOperation],
                dependsOn: [Int] = [], waitsForBalloon: Bool = false) {
        self.id = id
        self.kind = kind
        self.host = host
        self.domain = domain
        self.targetHost = targetHost
        self.summary = summary
        self.reason = reason
        self.disruption = disruption
        self.operations = operations
        self.dependsOn = dependsOn
        self.waitsForBalloon = waitsForBalloon
    }
}

/// Something the plan reports but does not do.
public enum NoticeKind: String, Codable, Hashable, Sendable, CaseIterable {
    /// A change that needs a reboot the domain does not allow.
    case pendingRestart = "pending-restart"
    /// A domain nobody declared and xenplan did not create: left alone.
    case unmanaged
    /// A volume no declared disk uses; removing it needs `--allow-data-loss`.
    case orphanVolume = "orphan-volume"
    /// A managed domain no longer declared but marked `protect`.
    case protected
    /// A declared host change that cannot be carried out live; says which condition fails.
    case migrationBlocked = "migration-blocked"
    /// A volume declared smaller than it is: never shrunk.
    case shrinkRefused = "shrink-refused"
    /// An action left out because of `--max-disruption` (added by the executor/CLI).
    case excluded
    /// A domain that cannot be placed or a constraint the plan cannot satisfy.
    case unplaceable
    /// A domain in the middle of a migration or being torn down: left until it settles.
    case inTransition = "in-transition"
    /// A declared domain that may be running on a host that was not observed
    /// (`--skip-unreachable`): not created, started or moved, so that it never runs twice.
    case unknown
    /// The manifest file that declared domains the plan would destroy no longer exists.
    case manifestGone = "manifest-gone"
    /// A declared guest not started because another running guest uses one of its disks.
    case diskInUse = "disk-in-use"
    /// A first-boot setting (hostname, addresses, keys, password) declared differently
    /// from what the guest was created with: not applied (`identityChanges: first-boot`).
    case firstBoot = "first-boot"
}

public struct Notice: Codable, Hashable, Sendable {
    public var kind: NoticeKind
    public var host: String?
    public var domain: String?
    public var message: String

    public init(kind: NoticeKind, host: String?, domain: String?, message: String) {
        self.kind = kind
        self.host = host
        self.domain = domain
        self.message = message
    }
}

/// A host's memory and vCPU use before and after the plan, against its capacity.
public struct HostUsage: Codable, Hashable, Sendable {
    public var host: String
    /// Memory used by guests (footprints, overhead included), now and after the plan.
    public var memoryBefore: ByteSize
    public var memoryAfter: ByteSize
    /// Memory available to guests: total − hypervisor reserve − dom0.
    public var memoryAvailable: ByteSize
    public var vcpusBefore: Int
    public var vcpusAfter: Int
    /// Physical CPUs × vcpuRatio.
    public var vcpuLimit: Int
    public var domainsBefore: Int
    public var domainsAfter: Int

    public init(host: String, memoryBefore: ByteSize, memoryAfter: ByteSize, memoryAvailable: ByteSize,
                vcpusBefore: Int, vcpusAfter: Int, vcpuLimit: Int, domainsBefore: Int, domainsAfter: Int) {
        self.host = host
        self.memoryBefore = memoryBefore
        self.memoryAfter = memoryAfter
        self.memoryAvailable = memoryAvailable
        self.vcpusBefore = vcpusBefore
        self.vcpusAfter = vcpusAfter
        self.vcpuLimit = vcpuLimit
        self.domainsBefore = domainsBefore
        self.domainsAfter = domainsAfter
    }
}

/// What happens if one host fails: the running domains that could not be restarted on
/// the other hosts, each with why, and how much memory is missing for those that only
/// lack room.
public struct NPlusOne: Codable, Hashable, Sendable {
    /// A guest that could not restart elsewhere, and the condition that fails.
    public struct Stranded: Codable, Hashable, Sendable {
        public var domain: String
        /// `disk xvda is on pool cpt18-local, which is not shared`, `no room: …`.
        public var reason: String
        public init(domain: String, reason: String) {
            self.domain = domain
            self.reason = reason
        }
    }

    public var failedHost: String
    /// Names of the stranded guests, in name order.
    public var stranded: [String]
    public var reasons: [Stranded]
    /// Memory missing for the guests that only lack room.
    public var shortfall: ByteSize

    public init(failedHost: String, reasons: [Stranded], shortfall: ByteSize) {
        self.failedHost = failedHost
        self.reasons = reasons.sorted { $0.domain < $1.domain }
        self.stranded = self.reasons.map(\.domain)
        self.shortfall = shortfall
    }
}

/// The result of planning: plain data, rendered elsewhere, saved with `--out` and
/// carried out by the executor. See docs/plan-format.md.
public struct Plan: Codable, Hashable, Sendable {
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var lab: String?
    /// `Lab.contentHash` of the manifests the plan was made from.
    public var manifestHash: String
    /// In an order that satisfies every `dependsOn`; `actions[i].id == i`.
    public var actions: [PlannedAction]
    public var notices: [Notice]
    /// One per observed host, by name.
    public var hosts: [HostUsage]
    /// One per host whose loss would strand domains; empty when the lab survives any one
    /// (or when it was not checked: see `nPlusOneNotChecked`).
    public var nPlusOne: [NPlusOne]
    /// Why N+1 could not be checked (a host was not observed); nil when it was.
    public var nPlusOneNotChecked: String?
    /// Fingerprint of every observed object the plan depends on, by key
    /// (`host/H`, `domain/H/D`, `config/H/D`, `volume/H/CONTAINER/NAME`, `bridge/H/B`).
    public var fingerprints: [String: String]
    /// Compact description of each fingerprinted object, by the same keys, so that a
    /// stale-plan message can name the field that changed.
    public var objectSummaries: [String: [String: String]]
    /// Where the manifests were read from, so that `apply PLANFILE` can reach the same
    /// hosts; set by the CLI when it saves a plan (absent in plans made elsewhere).
    public var manifestDirectory: String?
    /// The planning flags it was made with (absent in plans saved by older versions).
    public var madeWith: PlanFlags?

    public init(formatVersion: Int = Plan.currentFormatVersion, lab: String?, manifestHash: String,
                actions: [PlannedAction] = [], notices: [Notice] = [], hosts: [HostUsage] = [],
                nPlusOne: [NPlusOne] = [], nPlusOneNotChecked: String? = nil, fingerprints: [String: String] = [:],
                objectSummaries: [String: [String: String]] = [:], manifestDirectory: String? = nil,
                madeWith: PlanFlags? = nil) {
        self.formatVersion = formatVersion
        self.lab = lab
        self.manifestHash = manifestHash
        self.actions = actions
        self.notices = notices
        self.hosts = hosts
        self.nPlusOne = nPlusOne
        self.nPlusOneNotChecked = nPlusOneNotChecked
        self.fingerprints = fingerprints
        self.objectSummaries = objectSummaries
        self.manifestDirectory = manifestDirectory
        self.madeWith = madeWith
    }

    /// No actions: the hosts match the manifests (notices may remain).
    public var isEmpty: Bool { actions.isEmpty }

    /// Number of actions per kind.
    public var countsByKind: [ActionKind: Int] {
        actions.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
    }

    /// Number of actions per disruption class.
    public var countsByDisruption: [Disruption: Int] {
        actions.reduce(into: [:]) { $0[$1.disruption, default: 0] += 1 }
    }

    /// Number of notices per kind.
    public var noticeCounts: [NoticeKind: Int] {
        notices.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
    }

    /// The most disruptive class among the actions (`.none` for an empty plan).
    public var maxDisruption: Disruption { actions.map(\.disruption).max() ?? .none }
}

/// The desired state cannot be reached: no order of actions keeps every host within its
/// capacity, or the manifests ask for more than the hosts have.
public struct PlanRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public var hosts: [String]
    public var domains: [String]
    public var shortfall: ByteSize
    public var message: String

    public init(hosts: [String], domains: [String], shortfall: ByteSize, message: String) {
        self.hosts = hosts
        self.domains = domains
        self.shortfall = shortfall
        self.message = message
    }

    public var description: String { message }
}

/// What the user allows and restricts for this plan.
public struct PlanOptions: Hashable, Sendable {
    /// Apply changes that need a reboot even for domains with `restart: never`.
    public var allowRestart: Bool
    /// Remove volumes no longer declared.
    public var allowDataLoss: Bool
    /// Destroy unmanaged domains that are not declared.
    public var prune: Bool
    /// Keep only the actions on these hosts (a migration: from or to one of them). Every
    /// host is planned; an action whose dependencies are not kept is left out, with a notice.
    public var hosts: Set<String>?
    /// Keep only the actions of these domains (and the bridges and volumes they need).
    public var domains: Set<String>?
    /// Hosts of the lab that could not be observed, with why (`--skip-unreachable`): no
    /// guest that may run there is created, started or moved, and N+1 is not checked.
    public var unobservedHosts: [String: String]
    /// Where each domain was last started, as the journal recorded it: with a skipped
    /// host, a domain last started there counts as possibly running there.
    public var lastStartedHosts: [String: String]
    /// At most this many migrations into, and out of, one host at a time.
    public var maxMigrationsPerHost: Int

    public init(allowRestart: Bool = false, allowDataLoss: Bool = false, prune: Bool = false,
                hosts: Set<String>? = nil, domains: Set<String>? = nil, unobservedHosts: [String: String] = [:],
                lastStartedHosts: [String: String] = [:], maxMigrationsPerHost: Int = 1) {
        self.allowRestart = allowRestart
        self.allowDataLoss = allowDataLoss
        self.prune = prune
        self.hosts = hosts
        self.domains = domains
        self.unobservedHosts = unobservedHosts
        self.lastStartedHosts = lastStartedHosts
        self.maxMigrationsPerHost = maxMigrationsPerHost
    }
}
