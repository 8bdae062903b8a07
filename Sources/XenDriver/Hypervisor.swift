import CXen

/// What `xc_physinfo` says about the machine, in pages of 4 KiB.
public struct PhysicalInfo: Hashable, Sendable {
    public var cpus: Int
    public var cpuKHz: Int
    public var totalPages: UInt64
    public var freePages: UInt64
    public var scrubPages: UInt64
    public init(cpus: Int, cpuKHz: Int, totalPages: UInt64, freePages: UInt64, scrubPages: UInt64 = 0) {
        self.cpus = cpus
        self.cpuKHz = cpuKHz
        self.totalPages = totalPages
        self.freePages = freePages
        self.scrubPages = scrubPages
    }
}

/// One `xc_domaininfo_t` (Xen 4.17's `xen_domctl_getdomaininfo`), the fields a
/// reconciler reads, kept in Xen's own units (pages, flags).
public struct DomainInfo: Hashable, Sendable {
    public var domid: UInt16
    /// `XEN_DOMINF_*`; the shutdown reason sits in bits 16–23.
    public var flags: UInt32
    public var totPages: UInt64
    public var maxPages: UInt64
    public var outstandingPages: UInt64
    public var cpuTime: UInt64
    public var onlineVcpus: UInt32
    /// `XEN_INVALID_MAX_VCPU_ID` (all ones) when the domain has no vCPU.
    public var maxVcpuID: UInt32
    /// The domain's uuid (`xen_domain_handle_t`).
    public var handle: [UInt8]
    public var cpupool: UInt32

    public init(
        domid: UInt16, flags: UInt32, totPages: UInt64, maxPages: UInt64, outstandingPages: UInt64 = 0,
        cpuTime: UInt64 = 0, onlineVcpus: UInt32, maxVcpuID: UInt32, handle: [UInt8], cpupool: UInt32 = 0
    ) {
        self.domid = domid
        self.flags = flags
        self.totPages = totPages
        self.maxPages = maxPages
        self.outstandingPages = outstandingPages
        self.cpuTime = cpuTime
        self.onlineVcpus = onlineVcpus
        self.maxVcpuID = maxVcpuID
        self.handle = handle
        self.cpupool = cpupool
    }

    /// The fields of a raw `xc_domaininfo_t`, as libxenctrl fills it.
    public init(_ raw: xc_domaininfo_t) {
        var uuid = raw.handle
        let bytes = withUnsafeBytes(of: &uuid) { Array($0) }
        self.init(
            domid: raw.domain, flags: raw.flags, totPages: raw.tot_pages, maxPages: raw.max_pages,
            outstandingPages: raw.outstanding_pages, cpuTime: raw.cpu_time, onlineVcpus: raw.nr_online_vcpus,
            maxVcpuID: raw.max_vcpu_id, handle: bytes, cpupool: raw.cpupool)
    }

    public var isDying: Bool { flags & cxen_dominf_dying != 0 }
    public var isShutdown: Bool { flags & cxen_dominf_shutdown != 0 }
    /// `SHUTDOWN_poweroff` 0, `reboot` 1, `suspend` 2, `crash` 3, `watchdog` 4 (xen/sched.h).
    public var shutdownReason: UInt32 { (flags >> cxen_dominf_shutdownshift) & cxen_dominf_shutdownmask }
    /// Maximum vCPUs: `max_vcpu_id + 1` (0 for a domain with none).
    public var maxVcpus: Int { maxVcpuID == UInt32.max ? 0 : Int(maxVcpuID) + 1 }

    /// `xl list`'s uuid form: 8-4-4-4-12 lower-case hex.
    public var uuid: String {
        let hex = handle.map { String($0, radix: 16).leftPadded(to: 2) }
        guard hex.count == 16 else { return hex.joined() }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }
}

/// The hypervisor's credit scheduler parameters of one domain.
public struct SchedulerParameters: Hashable, Sendable {
    public var weight: Int
    /// % of one CPU; 0 = no cap.
    public var cap: Int
    public init(weight: Int, cap: Int) {
        self.weight = weight
        self.cap = cap
    }
}

/// Which scheduler runs the host's guests: `xl sched-credit` or `xl sched-credit2`.
public enum SchedulerKind: String, Hashable, Sendable {
    case credit, credit2, other
    /// The xl subcommand that sets weight and cap under this scheduler.
    public var xlCommand: String { self == .credit2 ? "sched-credit2" : "sched-credit" }
}

/// The hypervisor calls the driver makes, behind a protocol so tests can replay
/// recorded values. The real implementation is `XenControl` (libxenctrl).
public protocol Hypervisor: Sendable {
    func physicalInfo() throws -> PhysicalInfo
    /// Every domain, in domid order (`xc_domain_getinfolist`).
    func domainInfoList() throws -> [DomainInfo]
    /// e.g. `4.17.3` (`XENVER_version` and `XENVER_extraversion`).
    func version() throws -> String
    func scheduler() throws -> SchedulerKind
    func schedulerParameters(domid: UInt16) throws -> SchedulerParameters
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
