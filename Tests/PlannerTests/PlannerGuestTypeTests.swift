import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// hvm and pvh guests through the planner: the configuration a new one gets, what a
/// changed firmware, CD-ROM or interface rate asks for, and what an hvm guest costs.
@Suite struct PlannerGuestTypeTests {
    static func desktop(_ change: (inout DomainSpec) -> Void = { _ in }) -> DomainSpec {
        var d = Fixture.domain(
            "desktop", on: "cpt18", memory: 1024, maxmem: 1024, vcpus: 2, maxvcpus: 2,
            disks: [Fixture.disk("root", size: 8192, vdev: "hda", pool: "cpt18-local")])
        d.type = .hvm
        d.hvm = HvmSpec(firmware: .bios, bootOrder: [.disk, .cdrom], cdrom: HvmSpec.Cdrom(path: "/srv/iso/tools.iso"))
        d.network[0].rate = "100Mb/s"
        d.network[0].vifname = "desktop-lan"
        change(&d)
        return d
    }

    static func lab(_ desktop: DomainSpec = desktop()) -> Lab { Std.lab([Std.ns1, Std.www, Std.git, desktop]) }

    static func writtenConfig(_ plan: Plan, _ name: String) -> DomainConfig? {
        for action in plan.actions where action.domain == name {
            for case let .writeConfig(config) in action.operations { return config }
        }
        return nil
    }

    @Test func aNewHvmGuestGetsItsFirmwareDevicesAndInterfaceLimits() throws {
        let plan = try Planner.plan(lab: Self.lab(), observed: Fixture.converged(Std.lab()))
        let config = try #require(Self.writtenConfig(plan, "desktop"))
        #expect(config.type == "hvm")
        #expect(config.boot == .firmware(.bios))
        #expect(config.hvm == DomainConfig.Hvm(bootOrder: [.disk, .cdrom], cdrom: "/srv/iso/tools.iso"))
        #expect(config.nics.map(\.rate) == ["100Mb/s"])
        #expect(config.nics.map(\.vifname) == ["desktop-lan"])
        #expect(config.guestProblem == nil)
    }

    /// The host's memory after the create counts the paging pool of an hvm guest.
    @Test func anHvmGuestCostsItsPagingPool() throws {
        let plan = try Planner.plan(lab: Self.lab(), observed: Fixture.converged(Std.lab()))
        let cpt18 = try #require(plan.hosts.first { $0.host == "cpt18" })
        let cost = XenMemory.footprint(actual: .gib(1), staticMax: .gib(1), type: "hvm", maxVcpus: 2)
        #expect(cost == .mib(1038))
        #expect(cpt18.memoryAfter - cpt18.memoryBefore == cost)
    }

    @Test func aConvergedHvmGuestPlansNothing() throws {
        let plan = try Planner.plan(lab: Self.lab(), observed: Fixture.converged(Self.lab()))
        #expect(lines(plan) == [])
        #expect(noticeLines(plan) == [])
    }

    /// Firmware, CD-ROM and an interface's rate are set when the guest starts: a running
    /// guest gets the new file and a pending restart naming each change.
    @Test func firmwareCdromAndRateChangesWaitForARestart() throws {
        let changed = Self.desktop {
            $0.hvm?.firmware = .uefi
            $0.hvm?.cdrom = nil
            $0.hvm?.bootOrder = [.disk]
            $0.network[0].rate = "10Mb/s"
        }
        let plan = try Planner.plan(lab: Self.lab(changed), observed: Fixture.converged(Self.lab()))
        #expect(lines(plan) == ["write-config desktop@cpt18 none"])
        #expect(noticeLines(plan) == ["pending-restart desktop@cpt18"])
        let mac = Fixture.mac(for: "desktop")
        #expect(
            plan.notices.first?.message
                == "firmware bios → uefi, boot order disk, cdrom → disk, cdrom removed, vif \(mac) rate 100Mb/s → 10Mb/s needs a restart (restart: never); set restart: allowed or use --allow-restart"
        )
        #expect(
            plan.actions.first?.summary
                == "update xenplan's configuration: firmware bios → uefi, boot order disk, cdrom → disk, cdrom removed, vif \(mac) rate 100Mb/s → 10Mb/s"
        )
    }

    @Test func aCdromAddedToARestartableGuestRestartsIt() throws {
        let before = Self.desktop {
            $0.hvm?.cdrom = nil; $0.hvm?.bootOrder = []
        }
        let after = Self.desktop { $0.restart = .allowed }
        let plan = try Planner.plan(lab: Self.lab(after), observed: Fixture.converged(Self.lab(before)))
        #expect(lines(plan) == ["restart desktop@cpt18 restart"])
        #expect(plan.actions.first?.summary == "boot order default → disk, cdrom, cdrom added (/srv/iso/tools.iso): shut down and start again")
    }

    /// A pvh guest booted by pvgrub: its file names grub's PVH image, and nothing of hvm.
    @Test func aPvhGuestWithPvgrub() throws {
        var spec = Fixture.domain("light", on: "cpt76", memory: 256, disks: [Fixture.disk("root", size: 1024, pool: "san")])
        spec.type = .pvh
        spec.boot = .pvgrub
        let plan = try Planner.plan(lab: Std.lab([Std.ns1, Std.www, Std.git, spec]), observed: Fixture.converged(Std.lab()))
        let config = try #require(Self.writtenConfig(plan, "light"))
        #expect(config.type == "pvh")
        #expect(config.boot == .pvgrub)
        #expect(config.hvm == nil)
    }
}
