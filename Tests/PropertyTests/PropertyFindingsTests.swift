import Testing
import XenplanTestSupport

/// The smallest cases the properties found, each the suite's own property on a
/// hand-written case, kept once fixed.
@Suite struct PropertyFindingsTests {
    static let twoHosts = LabBlueprint(
        hosts: [
            HostBlueprint(name: "h1", memory: 4096, cpus: 4, dom0Memory: 512, dom0Vcpus: 1, vcpuRatio: 2, bridges: ["xenbr0"]),
            HostBlueprint(name: "h2", memory: 4096, cpus: 4, dom0Memory: 512, dom0Vcpus: 1, vcpuRatio: 2, bridges: ["xenbr0"]),
        ],
        pools: [
            PoolBlueprint(name: "local-h1", kind: .lvm(volumeGroup: "vg-h1"), hosts: ["h1"], shared: false),
            PoolBlueprint(name: "san", kind: .lvm(volumeGroup: "san"), hosts: ["h1", "h2"], shared: true),
        ])

    static func domain(_ name: String, host: String?, pool: String, stopped: Bool, maxvcpus: Int = 1) -> DomainBlueprint {
        DomainBlueprint(
            name: name, host: host, group: nil, memory: 128, maxmem: 128, vcpus: 1, maxvcpus: maxvcpus,
            disks: [DiskBlueprint(name: "root", size: 16, vdev: "xvda", pool: pool)],
            nics: [NicBlueprint(bridge: "xenbr0", mac: nil, ip: nil)], restartAllowed: false, protect: false,
            stopped: stopped, file: "domains-a.yaml")
    }

    /// The suite's property on one hand-written case.
    static func expectHolds(_ lab: LabBlueprint, _ steps: [LabTransition]) async {
        var statistics = PropertyStatistics()
        let failure = await LabProperty.run(PropertyCase(seed: 0, lab: lab, transitions: steps), statistics: &statistics)
        #expect(failure == nil, "\(failure?.problems ?? [])")
    }

    /// A stopped domain exists only as a configuration on h1 and is then declared running
    /// on h2: it used to be started on h1 ("only a running domain moves") and migrated to
    /// h2 by the next apply.
    @Test func aStoppedDomainDeclaredElsewhereStartsWhereDeclared() async {
        var lab = Self.twoHosts
        lab.domains = [Self.domain("d1", host: "h1", pool: "san", stopped: true)]
        await Self.expectHolds(
            lab,
            [
                LabTransition(change: .move("d1", host: "h2")),
                LabTransition(change: .setStopped("d1", false)),
            ])
    }

    /// A person destroys d1 and starts an unmanaged guest on its volume: the plan used to
    /// start d1 again, the executor refused at the last moment (the volume has a writer),
    /// and every later plan planned the same start, without a notice saying why.
    @Test func aDomainWhoseVolumeAnotherGuestWritesIsExplained() async {
        var lab = Self.twoHosts
        lab.domains = [Self.domain("d1", host: "h1", pool: "local-h1", stopped: false)]
        await Self.expectHolds(
            lab,
            [
                LabTransition(outOfBand: [
                    OutOfBandChange(host: "h1", argv: ["destroy", "d1"]),
                    OutOfBandChange(host: "h1", argv: ["create", "u1", "memory=64M", "disk=xvda:/dev/vg-h1/d1-root"]),
                ])
            ])
    }

    /// d2 runs on h1 and is declared on h2; a person crashes it. The plan clears it and
    /// starts it again on h1, and the next apply migrates it to h2: one apply should do.
    @Test
    func aCrashedDomainDeclaredElsewhereStartsWhereDeclared() async {
        var lab = Self.twoHosts
        lab.domains = [Self.domain("d2", host: "h1", pool: "san", stopped: false)]
        await Self.expectHolds(
            lab,
            [
                LabTransition(change: .move("d2", host: "h2"), outOfBand: [OutOfBandChange(host: "h1", argv: ["crash", "d2"])])
            ])
    }

    /// d1 is stopped, its disk without `pool`; declared on h1 its configuration is rewritten
    /// onto h1's own pool, then declared on h2 (it cannot move: the disk is local), then
    /// running: it starts on h1, so the volume its configuration names must exist.
    @Test func aStoppedGuestsRewrittenConfigurationComesWithItsVolumes() async {
        var lab = Self.twoHosts
        var d1 = Self.domain("d1", host: nil, pool: "san", stopped: true)
        d1.disks[0].pool = nil
        lab.domains = [d1]
        await Self.expectHolds(
            lab,
            [
                LabTransition(change: .move("d1", host: "h1")),
                LabTransition(change: .move("d1", host: "h2")),
                LabTransition(change: .setStopped("d1", false)),
            ])
    }

    /// The same with its configuration gone too (removed by hand): it is known only by
    /// what Xen still holds of it, and still starts on its declared host in one apply.
    @Test func aCrashedDomainWithoutItsConfigurationDeclaredElsewhereStartsWhereDeclared() async {
        var lab = Self.twoHosts
        lab.domains = [Self.domain("d2", host: "h1", pool: "san", stopped: false)]
        await Self.expectHolds(
            lab,
            [
                LabTransition(
                    change: .move("d2", host: "h2"),
                    outOfBand: [
                        OutOfBandChange(host: "h1", argv: ["crash", "d2"]),
                        OutOfBandChange(host: "h1", argv: ["rm-config", "d2"]),
                    ])
            ])
    }

    /// d1 runs on h2 with its root on the shared pool and needs a restart; a person starts a
    /// guest on h1 with d1's root volume (Xen on h1 cannot see d1 on h2). The restart shuts
    /// d1 down, and the executor then refuses to start it again (the volume has another
    /// writer): xenplan took a running guest down. The restart should be held with a notice.
    @Test
    func aRestartIsHeldWhileAnotherGuestWritesTheDisk() async {
        var lab = Self.twoHosts
        lab.domains = [Self.domain("d1", host: "h2", pool: "san", stopped: false)]
        await Self.expectHolds(
            lab,
            [
                LabTransition(
                    change: .resize("d1", memory: 128, maxmem: 128, vcpus: 1, maxvcpus: 2),
                    outOfBand: [OutOfBandChange(host: "h1", argv: ["create", "u1", "memory=64M", "disk=xvda:/dev/san/d1-root"])],
                    gates: ApplyGates(allowRestart: true))
            ])
    }

    /// d1 is stopped, placed on h1, its disk without `pool` on san (the first pool every
    /// host reaches). Declared on h1, the disk's pool becomes local-h1 (the first h1
    /// reaches): the apply rewrites its configuration off san/d1-root, and only the next
    /// apply removes that volume, although --allow-data-loss was given to this one.
    @Test
    func aVolumeARewrittenConfigurationLeavesIsRemovedInTheSameApply() async {
        var lab = Self.twoHosts
        lab.hosts[0].memory = 8192
        var d1 = Self.domain("d1", host: nil, pool: "san", stopped: true)
        d1.disks[0].pool = nil
        lab.domains = [d1]
        await Self.expectHolds(
            lab,
            [
                LabTransition(change: .move("d1", host: "h1"), gates: ApplyGates(allowDataLoss: true))
            ])
    }

    /// d1 runs on h1 and is declared on h2; a person's guest on h2 uses d1's root on the
    /// shared pool. The plan migrates d1 to h2, where the hotplug script refuses the disk:
    /// the migration should be held with a notice, as a start is.
    @Test
    func aMigrationIsHeldWhileAGuestOfTheTargetUsesTheDisk() async {
        var lab = Self.twoHosts
        lab.domains = [Self.domain("d1", host: "h1", pool: "san", stopped: false)]
        await Self.expectHolds(
            lab,
            [
                LabTransition(
                    change: .move("d1", host: "h2"),
                    outOfBand: [OutOfBandChange(host: "h2", argv: ["create", "u1", "memory=64M", "disk=xvda:/dev/san/d1-root"])])
            ])
    }

    /// d4 has no host and exists nowhere (its configuration removed by hand), and a person
    /// runs an unmanaged guest on its root volume: its other volume was judged unused and
    /// removed by `--allow-data-loss` (soak seed 777225). A domain still to be placed keeps
    /// its volumes on every host it could land on.
    @Test func theVolumesOfADomainStillToBePlacedAreNeverOrphans() async {
        var lab = Self.twoHosts
        var d4 = Self.domain("d4", host: nil, pool: "san", stopped: true)
        d4.disks.append(DiskBlueprint(name: "data", size: 16, vdev: "xvdb", pool: "san"))
        lab.domains = [d4]
        await Self.expectHolds(
            lab,
            [
                LabTransition(
                    change: .setStopped("d4", false),
                    outOfBand: [
                        OutOfBandChange(host: "h1", argv: ["rm-config", "d4"]), OutOfBandChange(host: "h2", argv: ["rm-config", "d4"]),
                        OutOfBandChange(host: "h2", argv: ["create", "u6", "memory=256M", "bridge=xenbr0", "disk=xvda:/dev/san/d4-root"]),
                    ],
                    gates: ApplyGates(allowDataLoss: true))
            ])
    }

    /// A seeded guest whose configuration a person removed is adopted without its seed;
    /// declared on another host, it used to be migrated with its seed disk still attached,
    /// and the migration failed on the target's missing seed file (seed 999001). The seed
    /// disk is now detached before the move.
    @Test func aSeededGuestAdoptedWithoutItsSeedMovesWithoutItsSeedDisk() async {
        var lab = Self.twoHosts
        var d1 = Self.domain("d1", host: "h1", pool: "san", stopped: false)
        d1.disks = [DiskBlueprint(name: "root", size: 64, vdev: "xvda", pool: "san", image: true)]
        lab.domains = [d1]
        await Self.expectHolds(
            lab,
            [
                LabTransition(
                    change: .move("d1", host: "h2"), outOfBand: [OutOfBandChange(host: "h1", argv: ["rm-config", "d1"])])
            ])
    }

    /// A suspended guest on h1's local pool, declared on h2 (its disk on h2's local pool,
    /// restart allowed) and then running: it used to be resumed on h1 with no word of the
    /// move, which only the next apply made (seed 777092). It is now resumed where its
    /// file is and moved cold in the same apply.
    @Test func aSuspendedGuestDeclaredElsewhereOnLocalStorageMovesColdOnceResumed() async {
        var lab = Self.twoHosts
        lab.pools.append(PoolBlueprint(name: "local-h2", kind: .lvm(volumeGroup: "vg-h2"), hosts: ["h2"], shared: false))
        lab.domains = [Self.domain("d1", host: "h1", pool: "local-h1", stopped: false)]
        await Self.expectHolds(
            lab,
            [
                LabTransition(change: .setSuspended("d1", true)),
                LabTransition(change: .moveCold("d1", host: "h2")),
                LabTransition(change: .setSuspended("d1", false)),
            ])
    }

    /// A suspended guest on shared storage whose configuration a person removed, declared
    /// on a host that does not see its save file, then running: it used to be resumed
    /// where the file is and left there, the migration planned only by the next apply
    /// (seed 6120). It is now restored with the configuration written then, and migrated.
    @Test func aSuspendedGuestWithoutItsConfigurationMovesOnceResumed() async {
        var lab = Self.twoHosts
        lab.domains = [Self.domain("d1", host: "h2", pool: "san", stopped: false)]
        await Self.expectHolds(
            lab,
            [
                LabTransition(change: .setSuspended("d1", true)),
                LabTransition(outOfBand: [OutOfBandChange(host: "h2", argv: ["rm-config", "d1"])]),
                LabTransition(change: .move("d1", host: "h1")),
                LabTransition(change: .setSuspended("d1", false)),
            ])
    }
}
