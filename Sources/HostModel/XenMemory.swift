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

    /// What a pvh or hvm guest (a guest in an HVM container) costs beyond a pv guest: the
    /// pool of its hardware-assisted (or shadow) page tables, which libxl sizes at 1 MiB
    /// per vCPU plus 8 KiB per MiB of static-max, and 1 MiB more of libxl's fixed extra
    /// (2 MiB for these guests, 1 MiB for pv ones); rounded up to whole MiB. An hvm
    /// guest's video RAM is taken from its own memory and its device model runs in dom0,
    /// so neither is counted here. Nothing for a pv guest.
    public static func pagingOverhead(type: String, staticMax: ByteSize, maxVcpus: Int) -> ByteSize {
        guard type == "pvh" || type == "hvm" else { return .zero }
        let kib = 1024 * Int64(max(maxVcpus, 1)) + 8 * (staticMax.kib / 1024)
        return .mib(1 + (kib + 1023) / 1024)
    }

    /// What a guest costs the host while it runs with `actual` pages.
    public static func footprint(actual: ByteSize, staticMax: ByteSize, type: String, maxVcpus: Int) -> ByteSize {
        actual + domainOverhead(staticMax: staticMax) + pagingOverhead(type: type, staticMax: staticMax, maxVcpus: maxVcpus)
    }
}
