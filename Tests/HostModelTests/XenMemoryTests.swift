import HostModel
import Testing
import XenplanBasics

/// How Xen spends a host's memory: the numbers the simulator accounts with and the
/// planner predicts with, so each is pinned to the KiB.
@Suite struct XenMemoryTests {
    @Test(arguments: [
        ("2 GiB: 1/64 is 32 MiB, below the floor", ByteSize.gib(2), ByteSize.mib(64)),
        ("4 GiB: 1/64 is exactly the floor", ByteSize.gib(4), ByteSize.mib(64)),
        ("32 GiB", ByteSize.gib(32), ByteSize.mib(512)),
        ("256 GiB", ByteSize.gib(256), ByteSize.gib(4)),
        ("6000 MiB: 93.75 MiB, rounded down to whole MiB", ByteSize.mib(6000), ByteSize.mib(93)),
        ("100 GiB and 1 KiB", ByteSize.gib(100) + ByteSize(kib: 1), ByteSize.mib(1600)),
        ("nothing at all", ByteSize.zero, ByteSize.mib(64)),
    ])
    func hypervisorReserve(_ name: String, _ total: ByteSize, _ reserve: ByteSize) {
        #expect(XenMemory.hypervisorReserve(total: total) == reserve, "\(name)")
    }

    @Test(arguments: [
        ("no pages", ByteSize.zero, ByteSize.mib(1)),
        ("less than a page", ByteSize(kib: 3), ByteSize.mib(1)),
        ("256 MiB: 512 KiB of p2m", ByteSize.mib(256), ByteSize.mib(2)),
        ("130 MiB: 260 KiB of p2m, a whole MiB", ByteSize.mib(130), ByteSize.mib(2)),
        ("512 MiB: exactly 1 MiB of p2m", ByteSize.mib(512), ByteSize.mib(2)),
        ("513 MiB: just over 1 MiB of p2m", ByteSize.mib(513), ByteSize.mib(3)),
        ("1 GiB", ByteSize.gib(1), ByteSize.mib(3)),
        ("4 GiB", ByteSize.gib(4), ByteSize.mib(9)),
        ("64 GiB", ByteSize.gib(64), ByteSize.mib(129)),
    ])
    func domainOverhead(_ name: String, _ staticMax: ByteSize, _ overhead: ByteSize) {
        #expect(XenMemory.domainOverhead(staticMax: staticMax) == overhead, "\(name)")
    }

    /// The overhead follows the static maximum, not the pages held: a guest ballooned
    /// down still pays for the p2m of all it may grow back to.
    @Test func aFootprintIsThePagesHeldAndTheOverheadOfTheStaticMaximum() {
        #expect(XenMemory.footprint(actual: .mib(512), staticMax: .gib(1), type: "pv", maxVcpus: 1) == .mib(515))
        #expect(XenMemory.footprint(actual: .gib(1), staticMax: .gib(1), type: "pv", maxVcpus: 1) == .mib(1027))
        #expect(XenMemory.footprint(actual: .mib(256), staticMax: .gib(4), type: "pv", maxVcpus: 1) == .mib(265))
        // 1 KiB of p2m still costs a whole MiB.
        #expect(
            XenMemory.footprint(actual: ByteSize(kib: 1000), staticMax: ByteSize(kib: 1000), type: "pv", maxVcpus: 1) == ByteSize(kib: 1000 + 2048))
    }

    /// A pvh or hvm guest also pays for its paging pool (1 MiB per vCPU, 8 KiB per MiB of
    /// static maximum) and libxl's second MiB of extra; a pv guest for neither.
    @Test(arguments: [
        ("pv", ByteSize.gib(1), 2, ByteSize.zero),
        ("hvm", ByteSize.gib(1), 2, ByteSize.mib(11)),
        ("pvh", ByteSize.gib(1), 2, ByteSize.mib(11)),
        ("hvm", ByteSize.gib(4), 1, ByteSize.mib(34)),
        ("hvm", ByteSize.mib(256), 1, ByteSize.mib(4)),
    ])
    func pagingOverhead(_ type: String, _ staticMax: ByteSize, _ vcpus: Int, _ overhead: ByteSize) {
        #expect(XenMemory.pagingOverhead(type: type, staticMax: staticMax, maxVcpus: vcpus) == overhead, "\(type) \(staticMax) \(vcpus)")
    }

    @Test func anHvmGuestCostsMoreThanTheSamePvGuest() {
        #expect(XenMemory.footprint(actual: .gib(1), staticMax: .gib(1), type: "hvm", maxVcpus: 2) == .mib(1038))
        #expect(XenMemory.footprint(actual: .gib(1), staticMax: .gib(1), type: "pv", maxVcpus: 2) == .mib(1027))
    }

    /// A host of 32 GiB with a dom0 of 2 GiB leaves 30208 MiB to guests; a guest of 1 GiB
    /// (static maximum 1 GiB) then takes 1027 of them.
    @Test func freeMemoryOfAHostAsXenAccountsIt() {
        let total = ByteSize.gib(32), dom0 = ByteSize.gib(2)
        let free = total - XenMemory.hypervisorReserve(total: total) - dom0
        #expect(free == .mib(30208))
        #expect(free - XenMemory.footprint(actual: .gib(1), staticMax: .gib(1), type: "pv", maxVcpus: 1) == .mib(29181))
    }
}
