import Foundation
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

/// Swift Testing has a `SourceLocation` of its own.
private typealias Location = XenplanBasics.SourceLocation

struct ValidLabTests {
    func load(_ files: [(path: String, contents: [UInt8])] = TestLab.files) throws -> LoadedLab {
        do {
            return try ManifestLoader.load(files: files)
        } catch {
            let text = error.diagnostics.map(\.description).joined(separator: "\n")
            Issue.record("unexpected diagnostics:\n\(text)")
            throw error
        }
    }

    @Test func mergesFilesInOrder() throws {
        let lab = try load().lab
        #expect(lab.name == "cpt")
        #expect(lab.format == 1)
        #expect(lab.files == ["lab/hosts.yaml", "lab/domains.yaml"])
        #expect(lab.hosts.map(\.name) == ["cpt18", "cpt76"])
        #expect(lab.pools.map(\.name) == ["cpt18-local", "cpt76-local", "nfs", "san"])
        #expect(lab.groups.map(\.name) == ["dns", "teaching"])
        #expect(lab.domains.map(\.name) == ["ns1", "ns2", "www"])
    }

    @Test func hostsAreDecoded() throws {
        let lab = try load().lab
        let cpt18 = try #require(lab.host("cpt18"))
        #expect(cpt18.connection == .sim)
        #expect(cpt18.dom0Memory == .gib(4))
        #expect(cpt18.dom0Vcpus == 2)
        #expect(
            cpt18.bridges == [
                BridgeSpec(name: "xenbr0", interface: "eth0", location: Location(file: "lab/hosts.yaml", line: 23, column: 7)),
                BridgeSpec(name: "xenbr1", interface: nil, location: Location(file: "lab/hosts.yaml", line: 24, column: 7)),
            ])
        #expect(cpt18.vcpuRatio == 4)
        #expect(cpt18.simMemory == .gib(48))
        #expect(cpt18.simCpus == 16)
        let cpt76 = try #require(lab.host("cpt76"))
        #expect(cpt76.connection == .ssh(user: "root", host: "cpt76.example.org", port: 2222))
        #expect(cpt76.agentCommand == "/usr/local/bin/xenplan")
        #expect(cpt76.dom0Memory == HostSpec.defaultDom0Memory)
        #expect(cpt76.vcpuRatio == HostSpec.defaultVcpuRatio)
        #expect(cpt76.simMemory == nil)
    }

    @Test func poolsAndGroupsAreDecoded() throws {
        let lab = try load().lab
        #expect(lab.pool("san")?.kind == .lvm(volumeGroup: "san"))
        #expect(lab.pool("san")?.shared == true)
        #expect(lab.pool("nfs")?.kind == .dir(path: "/srv/xen-images"))
        #expect(lab.pool("cpt18-local")?.hosts == ["cpt18"])
        #expect(lab.pool("cpt18-local")?.shared == false)
        #expect(lab.group("dns")?.spread == true)
        #expect(lab.group("teaching")?.memory == .gib(4))
        #expect(lab.group("teaching")?.vcpus == 8)
    }

    @Test func explicitValuesWinOverDefaults() throws {
        let ns1 = try #require(try load().lab.domain("ns1"))
        #expect(ns1.host == "cpt18")
        #expect(ns1.group == "dns")
        #expect(ns1.memory == .mib(512))
        #expect(ns1.maxmem == .gib(1))
        #expect(ns1.vcpus == 1)
        #expect(ns1.maxvcpus == 2)
        #expect(ns1.cpuWeight == 512, "weight from defaults, cap from the domain")
        #expect(ns1.cpuCap == 50)
        #expect(ns1.restart == .allowed)
        #expect(ns1.protect)
        #expect(
            ns1.network == [
                NicSpec(
                    bridge: "xenbr0", ip: "139.124.7.10", mac: "00:16:3e:78:20:10", rate: "100Mb/s", vifname: "ns1.0",
                    location: Location(file: "lab/domains.yaml", line: 14, column: 9))
            ])
    }

    @Test func defaultsFillWhatADomainLeavesOut() throws {
        let ns2 = try #require(try load().lab.domain("ns2"))
        #expect(ns2.host == nil)
        #expect(ns2.memory == .mib(256))
        #expect(ns2.maxmem == .mib(256), "maxmem follows memory when written nowhere")
        #expect(ns2.vcpus == 1)
        #expect(ns2.maxvcpus == 1)
        #expect(ns2.cpuWeight == 512)
        #expect(ns2.cpuCap == 0)
        #expect(ns2.type == .pv)
        #expect(ns2.boot == .pygrub)
        #expect(ns2.network.map(\.bridge) == ["xenbr0"])
        #expect(ns2.restart == .never)
        #expect(!ns2.protect)
        #expect(ns2.state == .running)
        #expect(ns2.shutdownTimeout == 60)
    }

    @Test func disksAreResolved() throws {
        let lab = try load().lab
        let ns1 = try #require(lab.domain("ns1"))
        #expect(ns1.disks.map(\.name) == ["root", "swap"])
        #expect(ns1.disks[0].pool == "san")
        #expect(ns1.disks[0].size == .gib(5))
        #expect(ns1.disks[1].pool == "cpt18-local", "the first pool (name order) its host reaches")
        #expect(ns1.disks[1].size == .mib(512), "a bare number is MiB")
        let ns2 = try #require(lab.domain("ns2"))
        #expect(ns2.disks[0].pool == "nfs", "no host: the first pool every host reaches")
        #expect(ns2.disks[0].size == ByteSize(kib: 1536 * 1024))
        let www = try #require(lab.domain("www"))
        #expect(www.type == .hvm)
        #expect(
            www.hvm
                == HvmSpec(
                    firmware: .uefi, bootOrder: [.cdrom, .disk], cdrom: HvmSpec.Cdrom(path: "/srv/iso/debian-12.iso"),
                    vnc: HvmSpec.Vnc(listen: "0.0.0.0", display: 3), serial: .none, viridian: true))
        #expect(ns1.network[0].rate == "100Mb/s")
        #expect(ns1.network[0].vifname == "ns1.0")
        #expect(ns2.hvm == nil, "a pv guest has no firmware devices")
        #expect(www.state == .stopped)
        #expect(
            www.disks == [
                DiskSpec(
                    name: "data", size: nil, vdev: "sdb", pool: nil, path: "/dev/sdb", readOnly: true,
                    location: Location(file: "lab/domains.yaml", line: 25, column: 9))
            ])
    }

    @Test func keyLocationsAreExact() throws {
        let lab = try load().lab
        let ns1 = try #require(lab.domain("ns1"))
        func at(_ line: Int, _ column: Int) -> Location { Location(file: "lab/domains.yaml", line: line, column: column) }
        #expect(ns1.locations.object == at(2, 3))
        #expect(ns1.locations.keys["host"] == at(3, 11))
        #expect(ns1.locations.keys["memory"] == at(5, 13))
        #expect(ns1.locations.keys["cpu"] == at(9, 10))
        #expect(ns1.locations.keys["cpu.cap"] == at(9, 16))
        #expect(ns1.locations.keys["disks"] == at(11, 7))
        #expect(ns1.locations["state"] == at(2, 3), "a key not written falls back to the object")
        let cpt18 = try #require(lab.host("cpt18"))
        #expect(cpt18.locations.object == Location(file: "lab/hosts.yaml", line: 19, column: 3))
        #expect(cpt18.locations.keys["sim.memory"] == Location(file: "lab/hosts.yaml", line: 26, column: 19))
        #expect(cpt18.locations.keys["dom0.memory"] == Location(file: "lab/hosts.yaml", line: 21, column: 20))
        #expect(lab.pool("san")?.locations.keys["hosts"] == Location(file: "lab/hosts.yaml", line: 15, column: 45))
        #expect(lab.group("teaching")?.locations.object == Location(file: "lab/hosts.yaml", line: 34, column: 3))
    }

    @Test func contentHashIsStableAndSensitive() throws {
        let first = try load().lab.contentHash
        let again = try load().lab.contentHash
        #expect(first == again)
        #expect(first.count == 16 && first.allSatisfy(\.isHexDigit))
        let moved = try load(TestLab.files.map { ("elsewhere/" + $0.path.split(separator: "/").last!, $0.contents) }).lab.contentHash
        #expect(moved == first, "the hash does not depend on the directory the files were read from")
        var edited = TestLab.files
        edited[1].contents += Array("  extra: {}\n".utf8)
        #expect(try load(edited).lab.contentHash != first)
    }

    @Test func loadsFromADirectoryLikeFromMemory() throws {
        let dir = try TemporaryDirectory.create("xenplan-manifest").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TestLab.hosts.write(toFile: dir + "/10-hosts.yaml", atomically: true, encoding: .utf8)
        try TestLab.domains.write(toFile: dir + "/20-domains.yml", atomically: true, encoding: .utf8)
        try "not a manifest".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)
        let fromDisk = try ManifestLoader.load(directory: dir + "/").lab
        #expect(fromDisk.files == [dir + "/10-hosts.yaml", dir + "/20-domains.yml"])
        let fromMemory = try load().lab
        #expect(fromDisk.domains.map(\.name) == fromMemory.domains.map(\.name))
        #expect(fromDisk.contentHash != fromMemory.contentHash, "file names are part of the hash")
    }

    @Test func aMissingDirectoryIsReported() {
        #expect(throws: DiagnosticsError.self) { try ManifestLoader.load(directory: "/nonexistent/xenplan/lab") }
        do {
            _ = try ManifestLoader.load(directory: "/nonexistent/xenplan/lab")
        } catch {
            #expect(error.diagnostics.map(\.description) == ["error: directory '/nonexistent/xenplan/lab' does not exist"])
        }
    }

    @Test func warningsDoNotStopLoading() throws {
        let extra = "storage:\n  lonely: {type: dir, path: /srv/lonely, hosts: [cpt18], shared: true}\n"
        let loaded = try load(TestLab.files + [("lab/zz.yaml", Array(extra.utf8))])
        #expect(
            loaded.warnings.map(\.description) == [
                "lab/zz.yaml:2:66: warning: pool 'lonely' is shared but only host 'cpt18' reaches it"
            ])
    }

    @Test func tooManyValuesWithoutAliasesAreRefused() {
        let yaml = "lab: cpt\nhosts: [" + Array(repeating: "x", count: 1_000_001).joined(separator: ",") + "]\n"
        do {
            _ = try ManifestLoader.load(files: [("many.yaml", Array(yaml.utf8))])
            Issue.record("loaded")
        } catch {
            #expect(error.diagnostics.map(\.message) == ["file has more than 1000000 values; a manifest needs far fewer"])
        }
    }

    /// A lab of 200 hosts and 10,000 domains in one file is legitimate: it loads.
    @Test func tenThousandDomainsInOneFileLoad() throws {
        var yaml = "lab: big\nformat: 1\nhosts:\n"
        for h in 0..<200 { yaml += "  h\(h): {connection: sim, dom0: {memory: 2G, vcpus: 2}, sim: {memory: 256G, cpus: 64}}\n" }
        yaml += "domains:\n"
        for d in 0..<10_000 { yaml += "  d\(d): {host: h\(d % 200), memory: 512M, vcpus: 1, network: [], disks: []}\n" }
        let loaded = try ManifestLoader.load(files: [("big.yaml", Array(yaml.utf8))])
        #expect(loaded.lab.domains.count == 10_000)
        #expect(loaded.lab.hosts.count == 200)
    }

    @Test(arguments: [
        ("sim", Connection.sim),
        ("local", .local),
        ("ssh://cpt18", .ssh(user: nil, host: "cpt18", port: nil)),
        ("ssh://root@cpt18.example.org", .ssh(user: "root", host: "cpt18.example.org", port: nil)),
        ("ssh://admin@192.0.2.7:2222", .ssh(user: "admin", host: "192.0.2.7", port: 2222)),
        ("ssh://[2001:db8::7]:22", .ssh(user: nil, host: "[2001:db8::7]", port: 22)),
    ])
    func connectionsAreParsed(_ text: String, _ expected: Connection) throws {
        let yaml =
            "lab: t\nhosts:\n  h:\n    connection: \"\(text)\"\n"
            + (expected == .sim ? "    sim: {memory: 1G, cpus: 1}\n    dom0: {memory: 512M}\n" : "")
        let lab = try load([("t.yaml", Array(yaml.utf8))]).lab
        #expect(lab.host("h")?.connection == expected)
        #expect(lab.host("h")?.connection.description == text)
    }
}
