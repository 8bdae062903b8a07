import XenplanBasics

/// How Xen spends a host's memory, shared by the simulated host (which must account
/// like Xen) and the planner (which must predict what Xen will refuse).
///
/// Xen keeps part of RAM for itself (heap, frame table, per-CPU data); each guest costs
/// its pages plus libxl's overhead for page tables and the p2m map, which grows with
/// the guest's static maximum.
public enum XenMemory {
    /// Memory the hypervisor keeps for itself: 1/64 of RAM, at least 64 MiB.
    public static func hypervisorReserve(total: ByteSize) -> ByteSize {
        let share = ByteSize(kib: (total.kib / 64) / 1024 * 1024)
        return max(share, .mib(64))
    }

    /// Per-domain overhead beyond its pages: 1 MiB fixed (libxl's LIBXL_MAXMEM_CONSTANT)
    /// plus 8 bytes of p2m per 4 KiB page of static-max, rounded up to whole MiB.
    public static func domainOverhead(staticMax: ByteSize) -> ByteSize {
        let p2mKiB = (staticMax.kib / 4) * 8 / 1024
        let mib = 1 + (p2mKiB + 1023) / 1024
        return .mib(mib)
    }

    /// What a guest costs the host while it runs with `actual` pages.
    public static func footprint(actual: ByteSize, staticMax: ByteSize) -> ByteSize {
        actual + domainOverhead(staticMax: staticMax)
    }
}
