import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// Guests created from images, with a first-boot seed: the copy is a step of the
/// volume's creation, the seed is written before `xl create` needs it, a host without the
/// image is refused or avoided, and identity changes follow `identityChanges`.
@Suite struct PlannerImageTests {
    static let imagePath = "/var/lib/xenplan/images/debian12.img"
    static let debian = ImageSpec(
        name: "debian12", path: imagePath, format: .raw, sha256: String(repeating: "ab", count: 32),
        hosts: ["cpt18", "cpt76"])
    static let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOl9b0dGf0v2yQpQn1x2 admin@cpt"

    static func web(host: String? = "cpt18", hostname: String = "web2", changes: IdentitySpec.Changes = .firstBoot) -> DomainSpec {
        var d = Fixture.domain(
            "web2", on: host, memory: 512,
            disks: [DiskSpec(name: "root", size: .gib(8), vdev: "xvda2", pool: "san", image: "debian12")],
            network: [
                NicSpec(
                    bridge: "xenbr0", ip: "139.124.7.60", mac: "00:16:3e:78:20:60", prefix: 24,
                    gateway: "139.124.7.250", dns: ["139.124.7.10"])
            ])
        d.identity = IdentitySpec(seed: true, hostname: hostname, sshKeys: [key], changes: changes)
        return d
    }

    static func lab(_ web: DomainSpec = web(), image: ImageSpec = debian) -> Lab {
        Fixture.lab(hosts: Std.hosts, pools: Std.pools, domains: Std.lab().domains + [web], images: [image])
    }

    /// The standard lab, converged, with the image on `hosts`.
    static func observed(imageOn hosts: Set<String> = ["cpt18", "cpt76"], size: ByteSize = .gib(2)) -> [HostState] {
        Fixture.converged(Std.lab()).map { h in
            var h = h
            if hosts.contains(h.name) { h.images = [ImageState(path: imagePath, fileSize: size, virtualSize: size, format: "raw")] }
            return h
        }
    }

    @Test func aNewGuestIsFilledFromItsImageAndGetsItsSeedBeforeItStarts() throws {
        let plan = try Planner.plan(lab: Self.lab(), observed: Self.observed())
        #expect(
            lines(plan) == [
                "create-volume san/web2-root 8 GiB from image debian12 (raw, 2 GiB, sha256 checked before the copy)@cpt18 none",
                "create web2@cpt18 none ←0",
            ])
        let source = ImageSource(name: "debian12", path: Self.imagePath, format: "raw", sha256: Self.debian.sha256)
        #expect(plan.actions[0].operations == [.createVolumeFromImage(container: "san", name: "web2-root", size: .gib(8), image: source)])
        let create = plan.actions[1].operations
        guard case let .writeConfig(config) = create.first, case let .writeSeed(seed) = create.dropFirst().first else {
            Issue.record("create is not write-config, write-seed, create: \(create)")
            return
        }
        #expect(create.last == .create(domain: "web2"))
        #expect(
            seed
                == CloudInitSeed(
                    domain: "web2", instanceId: seed.instanceId, hostname: "web2",
                    interfaces: [
                        .init(
                            mac: "00:16:3e:78:20:60", addresses: ["139.124.7.60/24"],
                            gateway: "139.124.7.250", dns: ["139.124.7.10"])
                    ],
                    sshKeys: [Self.key]))
        #expect(seed.instanceId.hasPrefix("web2-") && seed.instanceId.count == "web2-".count + 8)
        #expect(config.seed == DomainConfig.Seed(target: "/var/lib/xenplan/seed/web2.iso", identity: seed.identitySummary))

        let after = try applying(plan, to: Self.observed())
        let web = try #require(after[0].domain(named: "web2"))
        #expect(web.disks.map(\.vdev) == ["xvda2", "xvdz"])
        #expect(try Planner.plan(lab: Self.lab(), observed: after).actions.isEmpty)
    }

    @Test func aHostWithoutTheImageRefusesThePlanNamingHostDomainAndPath() throws {
        let error = #expect(throws: PlanRefusal.self) { try Planner.plan(lab: Self.lab(), observed: Self.observed(imageOn: ["cpt76"])) }
        #expect(
            error?.message
                == "disk root of web2 on cpt18: image debian12 (/var/lib/xenplan/images/debian12.img) is not on cpt18: copy it there (sha256 abababababab…)"
        )
        #expect(error?.hosts == ["cpt18"])
        #expect(error?.domains == ["web2"])
    }

    @Test func anImageLargerThanTheDiskOrInAnotherFormatIsRefused() throws {
        let big = #expect(throws: PlanRefusal.self) { try Planner.plan(lab: Self.lab(), observed: Self.observed(size: .gib(10))) }
        #expect(big?.message == "disk root of web2 on cpt18: image debian12 is 10 GiB, larger than the 8 GiB disk")
        var qcow = Self.debian
        qcow.format = .qcow2
        let format = #expect(throws: PlanRefusal.self) { try Planner.plan(lab: Self.lab(image: qcow), observed: Self.observed()) }
        #expect(
            format?.message == "disk root of web2 on cpt18: image debian12 (/var/lib/xenplan/images/debian12.img) on cpt18 is raw, declared qcow2")
    }

    @Test func placementOnlyConsidersHostsThatHaveTheImage() throws {
        // cpt18 has more free memory in the standard lab; without the image there, cpt76 is chosen.
        let plan = try Planner.plan(lab: Self.lab(Self.web(host: nil)), observed: Self.observed(imageOn: ["cpt76"]))
        #expect(lines(plan).last == "create web2@cpt76 none ←0")
        let nowhere = try Planner.plan(lab: Self.lab(Self.web(host: nil)), observed: Self.observed(imageOn: []))
        #expect(nowhere.actions.isEmpty)
        #expect(
            nowhere.notices.map(\.message) == [
                "web2 has no host to go to: cpt18 image debian12 (/var/lib/xenplan/images/debian12.img) is not on cpt18: copy it there (sha256 abababababab…); "
                    + "cpt76 image debian12 (/var/lib/xenplan/images/debian12.img) is not on cpt76: copy it there (sha256 abababababab…); not created"
            ])
    }

    @Test func anExistingVolumeIsNeverFilledAgainAndItsImageNeedNotBeThere() throws {
        let created = try applying(try Planner.plan(lab: Self.lab(), observed: Self.observed()), to: Self.observed())
        let withoutImage = created.map { h in
            var h = h; h.images = []; return h
        }
        #expect(try Planner.plan(lab: Self.lab(), observed: withoutImage).actions.isEmpty)
        var gone = withoutImage
        gone[0].removeDomain("web2")
        #expect(lines(try Planner.plan(lab: Self.lab(), observed: gone)) == ["start web2@cpt18 none"])
    }

    @Test func aChangedIdentityIsReportedNotAppliedOnFirstBootGuests() throws {
        let created = try applying(try Planner.plan(lab: Self.lab(), observed: Self.observed()), to: Self.observed())
        let plan = try Planner.plan(lab: Self.lab(Self.web(hostname: "www2")), observed: created)
        #expect(plan.actions.isEmpty)
        #expect(
            plan.notices.map { "\($0.kind.rawValue) \($0.message)" } == [
                "first-boot first-boot identity of web2 is declared differently (hostname web2 → www2): it keeps the one it was created with; identityChanges: next-boot applies it at its next boot"
            ])
    }

    @Test func aChangedIdentityWithNextBootRewritesTheSeedWithANewInstance() throws {
        let created = try applying(try Planner.plan(lab: Self.lab(), observed: Self.observed()), to: Self.observed())
        let old = try #require(created[0].config(named: "web2")?.seed?.identity["instance-id"])
        let lab = Self.lab(Self.web(hostname: "www2", changes: .nextBoot))
        let plan = try Planner.plan(lab: lab, observed: created)
        #expect(lines(plan) == ["write-config web2@cpt18 none"])
        guard case let .writeSeed(seed) = plan.actions[0].operations.last else {
            Issue.record("no write-seed: \(plan.actions[0].operations)")
            return
        }
        #expect(seed.hostname == "www2")
        #expect(seed.instanceId != old)
        #expect(plan.notices.map(\.kind) == [.pendingRestart])
        #expect(try Planner.plan(lab: lab, observed: try applying(plan, to: created)).actions.isEmpty)
    }

    @Test func aMissingSeedFileIsWrittenAgainWithTheInstanceTheGuestKnows() throws {
        var created = try applying(try Planner.plan(lab: Self.lab(), observed: Self.observed()), to: Self.observed())
        let record = try #require(created[0].config(named: "web2")?.seed)
        created[0].removeDomain("web2")
        created[0].seeds = []
        let plan = try Planner.plan(lab: Self.lab(), observed: created)
        #expect(lines(plan) == ["start web2@cpt18 none"])
        guard case let .writeSeed(seed) = plan.actions[0].operations.first else {
            Issue.record("no write-seed first: \(plan.actions[0].operations)")
            return
        }
        #expect(seed.instanceId == record.identity["instance-id"])
        #expect(plan.actions[0].operations.last == .create(domain: "web2"))
    }

    @Test func aSeededGuestMigratesOnlyAfterItsSeedIsOnTheTarget() throws {
        let created = try applying(try Planner.plan(lab: Self.lab(), observed: Self.observed()), to: Self.observed())
        let plan = try Planner.plan(lab: Self.lab(Self.web(host: "cpt76")), observed: created)
        #expect(lines(plan) == ["write-config web2@cpt76 none", "migrate web2@cpt18→cpt76 pause ←0", "write-config web2@cpt76 none ←1"])
        #expect(plan.actions[0].summary == "first-boot seed of web2, before it arrives")
        guard case .writeSeed = plan.actions[0].operations.first else {
            Issue.record("no write-seed: \(plan.actions[0].operations)")
            return
        }
        let after = try applying(plan, to: created)
        #expect(after.map(\.seeds) == [[], ["web2"]])
        #expect(try Planner.plan(lab: Self.lab(Self.web(host: "cpt76")), observed: after).actions.isEmpty)
    }
}
