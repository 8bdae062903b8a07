import CXen
import FoundationEssentials
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure of a libxenctrl call, with errno's message.
public struct XenControlError: Error, Hashable, Sendable, CustomStringConvertible {
    public var call: String
    public var errno: Int32
    public var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

/// libxenctrl (`xc_interface_open`): the hypervisor's own view of memory, CPUs and domains.
///
/// `@unchecked Sendable`: an `xc_interface` may be used from one thread at a time; every
/// call below holds `lock`, and the handle is closed only in `deinit`.
public final class XenControl: Hypervisor, @unchecked Sendable {
    private let handle: OpaquePointer
    private let lock = Lock()
    /// More domains than a dom0 can hold: Xen's domid space for guests is 0…0x7FEF.
    static let maxDomains: UInt32 = 1024

    /// Opens the privileged interface; throws when this is not a Xen dom0.
    public init() throws {
        errno = 0
        // Without a logger argument libxenctrl prints its own complaint on stderr; that is
        // acceptable only because `XenDriver.open` checks /dev/xen/privcmd first.
        guard let h = xc_interface_open(nil, nil, 0) else {
            throw XenControlError(call: "xc_interface_open", errno: errno == 0 ? ENOENT : errno)
        }
        handle = h
    }

    deinit { xc_interface_close(handle) }

    public func physicalInfo() throws -> PhysicalInfo {
        try lock.withLock {
            var info = xc_physinfo_t()
            guard xc_physinfo(handle, &info) == 0 else { throw XenControlError(call: "xc_physinfo", errno: errno) }
            return PhysicalInfo(
                cpus: Int(info.nr_cpus), cpuKHz: Int(info.cpu_khz), totalPages: info.total_pages,
                freePages: info.free_pages, scrubPages: info.scrub_pages)
        }
    }

    public func domainInfoList() throws -> [DomainInfo] {
        try lock.withLock {
            var buffer = [xc_domaininfo_t](repeating: xc_domaininfo_t(), count: Int(Self.maxDomains))
            let n = buffer.withUnsafeMutableBufferPointer {
                xc_domain_getinfolist(handle, 0, Self.maxDomains, $0.baseAddress)
            }
            guard n >= 0 else { throw XenControlError(call: "xc_domain_getinfolist", errno: errno) }
            return buffer.prefix(Int(n)).map(DomainInfo.init)
        }
    }

    public func version() throws -> String {
        try lock.withLock {
            let packed = xc_version(handle, XENVER_version, nil)
            guard packed >= 0 else { throw XenControlError(call: "xc_version", errno: errno) }
            // xen_extraversion_t is char[16]; a zeroed buffer one byte longer stays terminated.
            var extra = [UInt8](repeating: 0, count: 17)
            let rc = extra.withUnsafeMutableBytes { xc_version(handle, XENVER_extraversion, $0.baseAddress) }
            let suffix = rc == 0 ? String(decoding: extra.prefix { $0 != 0 }, as: UTF8.self) : ""
            return "\(packed >> 16).\(packed & 0xFFFF)" + suffix
        }
    }

    public func scheduler() throws -> SchedulerKind {
        try lock.withLock {
            var id: UInt32 = 0
            guard xc_sched_id(handle, &id) == 0 else { throw XenControlError(call: "xc_sched_id", errno: errno) }
            switch Int32(id) {
            case XEN_SCHEDULER_CREDIT: return .credit
            case XEN_SCHEDULER_CREDIT2: return .credit2
            default: return .other
            }
        }
    }

    public func schedulerParameters(domid: UInt16) throws -> SchedulerParameters {
        let kind = try scheduler()
        return try lock.withLock {
            switch kind {
            case .credit2:
                var p = xen_domctl_sched_credit2()
                guard xc_sched_credit2_domain_get(handle, UInt32(domid), &p) == 0 else {
                    throw XenControlError(call: "xc_sched_credit2_domain_get", errno: errno)
                }
                return SchedulerParameters(weight: Int(p.weight), cap: Int(p.cap))
            case .credit, .other:
                var p = xen_domctl_sched_credit()
                guard xc_sched_credit_domain_get(handle, UInt32(domid), &p) == 0 else {
                    throw XenControlError(call: "xc_sched_credit_domain_get", errno: errno)
                }
                return SchedulerParameters(weight: Int(p.weight), cap: Int(p.cap))
            }
        }
    }
}
