import Testing
import XenplanTestSupport

/// The smallest cases the properties found that the planner does not handle yet. Each is
/// the same property as the suite's, on a hand-written case; the suite itself steps
/// around them (`KnownGap`) unless `XENPLAN_PROPERTY_STRICT=1`.
@Suite struct PlannerGapTests {
    static let twoHosts = LabBlueprint(
        hosts: [HostBlueprint(name: "h1", memory: 4096, cpus: 4, dom0Memory: 512, dom0Vcpus: 1, vcpuRatio: 2, bridges: ["xenbr0"]),
                HostBlueprint(name: "h2", memory: 4096, cpus: 4, dom0Memory: 512, dom0Vcpus: 1, vcpuRatio: 2, bridges: ["xenbr0"])],
        pools: [PoolBlueprint(name: "local-h1", kind: .lvm(volumeGroup: "vg-h1"), hosts: ["h1"], shared: false),
                PoolBlueprint(name: "san", kind: .lvm(volumeGroup: "san"), hosts: ["h1", "h2"], shared: true)])

    static func domain(_ name: String, host: String?, pool: String, stopped: Bool) -> DomainBlueprint {
        DomainBlueprint(name: name, host: host, group: nil, memory: 128, maxmem: 128, vcpus: 1, maxvcpus: 1,
                        disks: [DiskBlueprint(name: "root", size: 16, vdev: "xvda", pool: pool)],
                        nics: [NicBlueprint(bridge: "xenbr0", mac: nil, ip: nil)], restartAllowed: false, protect: false,
                        stopped: stopped, file: "domains-a.yaml")
    }

    /// A stopped domain exists only as a configuration on h1 and is then declared running
    /// on h2: the plan starts it on h1 ("only a running domain moves"), and the next plan
    /// migrates it to h2. One apply should be enough.
    @Test(.disabled("planner: a configuration-only domain declared on another host is started where its configuration is, then migrated by the next apply"))
    func aStoppedDomainDeclaredElsewhereStartsWhereDeclared() async {
        var lab = Self.twoHosts
        lab.domains = [Self.domain("d1", host: "h1", pool: "san", stopped: true)]
        let c = PropertyCase(seed: 0, lab: lab, transitions: [
            LabTransition(change: .move("d1", host: "h2")),
            LabTransition(change: .setStopped("d1", false)),
        ])
        var statistics = PropertyStatistics()
        let failure = await LabProperty.run(c, statistics: &statistics, strict: true)
        #expect(failure == nil, "\(failure?.problems ?? [])")
    }

    /// A person destroys d1 and starts an unmanaged guest on its volume: the plan starts
    /// d1 again, the executor refuses at the last moment (the volume has a writer), and
    /// every later plan plans the same start, without a notice saying why it cannot run.
    @Test(.disabled("planner: a domain whose read-write volume another guest uses is planned to start, without a notice"))
    func aDomainWhoseVolumeAnotherGuestWritesIsExplained() async {
        var lab = Self.twoHosts
        lab.domains = [Self.domain("d1", host: "h1", pool: "local-h1", stopped: false)]
        let c = PropertyCase(seed: 0, lab: lab, transitions: [
            LabTransition(outOfBand: [OutOfBandChange(host: "h1", argv: ["destroy", "d1"]),
                                      OutOfBandChange(host: "h1", argv: ["create", "u1", "memory=64M", "disk=xvda:/dev/vg-h1/d1-root"])]),
        ])
        var statistics = PropertyStatistics()
        let failure = await LabProperty.run(c, statistics: &statistics, strict: true)
        #expect(failure == nil, "\(failure?.problems ?? [])")
    }
}
