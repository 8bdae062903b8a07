import CXen
import Foundation

@testable import XenDriver

/// The hypervisor as libxenctrl reported it on cpt18 (Xen 4.17.3, 16 CPUs, 48 GiB): raw
/// `xc_domaininfo_t` structs, converted by the same `DomainInfo.init` the real driver uses.
///
/// `@unchecked Sendable`: `infos` changes only under `lock`, so a test can let a domain
/// die while the driver waits for it.
final class RecordedHypervisor: Hypervisor, @unchecked Sendable {
    private let lock = NSLock()
    private var infos: [xc_domaininfo_t]
    var physical: PhysicalInfo
    var xenVersion: String
    var sched: SchedulerKind
    var params: [UInt16: SchedulerParameters]

    init(
        infos: [xc_domaininfo_t], physical: PhysicalInfo, version: String = "4.17.3",
        scheduler: SchedulerKind = .credit, params: [UInt16: SchedulerParameters] = [:]
    ) {
        self.infos = infos
        self.physical = physical
        self.xenVersion = version
        self.sched = scheduler
        self.params = params
    }

    func physicalInfo() throws -> PhysicalInfo { physical }
    func domainInfoList() throws -> [DomainInfo] { lock.withLock { infos.map(DomainInfo.init) } }
    func version() throws -> String { xenVersion }
    func scheduler() throws -> SchedulerKind { sched }
    func schedulerParameters(domid: UInt16) throws -> SchedulerParameters {
        guard let p = params[domid] else { throw XenControlError(call: "xc_sched_credit_domain_get", errno: ESRCH) }
        return p
    }

    func update(_ body: (inout [xc_domaininfo_t]) -> Void) { lock.withLock { body(&infos) } }

    /// One raw record, as xc_domain_getinfolist fills it.
    static func raw(
        domid: UInt16, flags: UInt32, totPages: UInt64, maxPages: UInt64, online: UInt32, maxVcpuID: UInt32,
        uuid: String, shutdownReason: UInt32 = 0
    ) -> xc_domaininfo_t {
        var info = xc_domaininfo_t()
        info.domain = domid
        info.flags = flags | (shutdownReason << cxen_dominf_shutdownshift)
        info.tot_pages = totPages
        info.max_pages = maxPages
        info.nr_online_vcpus = online
        info.max_vcpu_id = maxVcpuID
        info.cpu_time = 1_234_567_890
        let hex = uuid.filter { $0 != "-" }
        var bytes = [UInt8]()
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            bytes.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        withUnsafeMutableBytes(of: &info.handle) { buf in for (k, b) in bytes.enumerated() { buf[k] = b } }
        return info
    }

    static let running = cxen_dominf_running
    static let blocked = cxen_dominf_blocked
    static let paused = cxen_dominf_paused
    static let dying = cxen_dominf_dying
    static let shutdown = cxen_dominf_shutdown

    /// cpt18 mid-life: dom0, ns1, ldap (ballooning down), www being migrated away
    /// (paused), tmpbox (unmanaged), old-test dying after `xl destroy`, and a zombie
    /// (domid 11) whose xenstore entries are gone but whose pages a backend still holds.
    static func cpt18() -> RecordedHypervisor {
        let u = "6f1c2a3e-5b7d-4e8f-9a01-23456789ab0"
        return RecordedHypervisor(
            infos: [
                raw(
                    domid: 0, flags: running, totPages: 1_048_576, maxPages: UInt64(UInt32.max), online: 2, maxVcpuID: 1,
                    uuid: "00000000-0000-0000-0000-000000000000"),
                raw(domid: 1, flags: blocked, totPages: 65_536, maxPages: 131_328, online: 1, maxVcpuID: 1, uuid: u + "1"),
                raw(domid: 2, flags: blocked, totPages: 140_000, maxPages: 262_400, online: 1, maxVcpuID: 1, uuid: u + "2"),
                raw(domid: 4, flags: paused, totPages: 262_144, maxPages: 524_544, online: 2, maxVcpuID: 3, uuid: u + "4"),
                raw(domid: 6, flags: running, totPages: 32_768, maxPages: 33_024, online: 1, maxVcpuID: 0, uuid: u + "6"),
                raw(domid: 9, flags: dying | shutdown, totPages: 1_024, maxPages: 65_792, online: 0, maxVcpuID: 0, uuid: u + "9"),
                raw(
                    domid: 11, flags: dying, totPages: 12, maxPages: 65_792, online: 0, maxVcpuID: 0,
                    uuid: "0a0b0c0d-0e0f-1011-1213-141516171819"),
            ],
            physical: PhysicalInfo(cpus: 16, cpuKHz: 2_394_454, totalPages: 12_582_912, freePages: 10_973_184),
            params: [
                0: .init(weight: 256, cap: 0), 1: .init(weight: 512, cap: 0), 2: .init(weight: 256, cap: 0),
                4: .init(weight: 512, cap: 0), 6: .init(weight: 256, cap: 50),
            ])
    }
}
