import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

@Test func fingerprintChangesWhenATargetChanges() throws {
    // The plan changes www, so it keeps www's summary and can name the field.
    let lab = Std.lab(Std.lab().domains.with("www") { $0.memory = .mib(640) })
    let observed = Fixture.converged(Std.lab())
    let plan = try Planner.plan(lab: lab, observed: observed)
    var changed = observed
    changed[named: "cpt18"].updateDomain("www") { $0.memoryTarget = .mib(768) }
    let now = Planner.fingerprints(of: changed)
    #expect(now["domain/cpt18/www"] != plan.fingerprints["domain/cpt18/www"])
    #expect(now.filter { $0.key != "domain/cpt18/www" } == plan.fingerprints.filter { $0.key != "domain/cpt18/www" })
    #expect(plan.staleObjects(comparedWith: changed) == ["domain www on cpt18: memory target 512 MiB → 768 MiB since the plan was made"])
    #expect(plan.staleObjects(comparedWith: now) == ["domain www on cpt18: changed since the plan was made"])
    #expect(plan.staleObjects(comparedWith: observed) == [])
    // An object the plan does not name is still checked, without detail.
    var other = observed
    other[named: "cpt76"].updateDomain("git") { $0.vcpusOnline = 1 }
    #expect(plan.staleObjects(comparedWith: other) == ["domain git on cpt76: changed since the plan was made"])
}

@Test func fingerprintIgnoresWhatMovesOnItsOwn() throws {
    let observed = Fixture.converged(Std.lab())
    var moved = observed
    moved[named: "cpt18"].updateDomain("www") {
        $0.memoryActual = .mib(500); $0.state = .blocked; $0.domid = 99
    }
    #expect(Planner.fingerprints(of: moved) == Planner.fingerprints(of: observed))
}

@Test func fingerprintKeysCoverEveryObservedObject() throws {
    let keys = Set(Planner.fingerprints(of: Fixture.converged(Std.lab())).keys)
    #expect(
        keys == [
            "host/cpt18", "host/cpt76",
            "domain/cpt18/ns1", "domain/cpt18/www", "domain/cpt76/git",
            "config/cpt18/ns1", "config/cpt18/www", "config/cpt76/git",
            "volume/cpt18/san/ns1-root", "volume/cpt76/san/ns1-root", "volume/cpt18/vg18/www-root",
            "volume/cpt18/san/git-root", "volume/cpt76/san/git-root",
            "bridge/cpt18/xenbr0", "bridge/cpt76/xenbr0",
        ])
}

@Test func staleObjectsNameAppearedAndGoneObjects() throws {
    let observed = Fixture.converged(Std.lab())
    let plan = try Planner.plan(lab: Std.lab(), observed: observed)
    var changed = observed
    changed[named: "cpt18"].addDomain(Fixture.domainState("tmpbox", domid: 50))
    changed[named: "cpt76"].volumes.removeAll { $0.name == "git-root" }
    #expect(
        plan.staleObjects(comparedWith: changed) == [
            "domain tmpbox on cpt18: appeared since the plan was made",
            "volume san/git-root on cpt76: gone since the plan was made",
        ])
}

@Test func fingerprintFormat() {
    let fp = Planner.fingerprint(of: ["a": "1"])
    #expect(fp.count == 16)
    #expect(fp.allSatisfy { $0.isHexDigit })
    #expect(fp == Planner.fingerprint(of: ["a": "1"]))
    #expect(fp != Planner.fingerprint(of: ["a": "2"]))
}

/// A configuration's firmware devices and interface limits are part of its fingerprint:
/// a plan made before someone changed them is stale.
@Test func fingerprintCoversFirmwareDevicesAndInterfaceLimits() throws {
    let observed = Fixture.converged(Std.lab())
    let before = Planner.fingerprints(of: observed)
    var hvm = observed
    hvm[named: "cpt18"].updateConfig("www") {
        $0.type = "hvm"
        $0.boot = .firmware(.uefi)
        $0.hvm = DomainConfig.Hvm(cdrom: "/srv/iso/tools.iso")
    }
    #expect(Planner.fingerprints(of: hvm)["config/cpt18/www"] != before["config/cpt18/www"])
    var cdrom = hvm
    cdrom[named: "cpt18"].updateConfig("www") { $0.hvm?.cdrom = "/srv/iso/other.iso" }
    #expect(Planner.fingerprints(of: cdrom)["config/cpt18/www"] != Planner.fingerprints(of: hvm)["config/cpt18/www"])
    var rate = observed
    rate[named: "cpt18"].updateConfig("www") { $0.nics[0].rate = "10Mb/s" }
    #expect(Planner.fingerprints(of: rate)["config/cpt18/www"] != before["config/cpt18/www"])
    var vifname = observed
    vifname[named: "cpt18"].updateConfig("www") { $0.nics[0].vifname = "www-lan" }
    #expect(Planner.fingerprints(of: vifname)["config/cpt18/www"] != before["config/cpt18/www"])
}
