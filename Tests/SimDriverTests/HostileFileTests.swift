import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics
import XenplanTestSupport

/// A simulated host's file is input too: a hand-edited or damaged one ends in a message
/// naming the file and the field, never in an overflow while the host is simulated.
struct HostileFileTests {
    /// A small valid file, with raw JSON replacing one field (`machine`, `dom0`, or one
    /// of the guest's).
    static func file(
        machine: String = #"{"memory":{"kib":50331648},"cpus":16,"xenVersion":"4.17.7"}"#,
        dom0: String = #"{"memory":{"kib":4194304},"vcpus":2}"#, guest: [String: String] = [:],
        extra: String = ""
    ) -> String {
        var fields: [String: String] = [
            "name": #""ldap""#, "domid": "3", "uuid": #""6a1b9c0e-3d5f-4e2a-9b7c-0d1e2f3a4b5c""#,
            "memoryTarget": #"{"kib":262144}"#, "vcpusOnline": "1", "maxVcpus": "2",
        ]
        fields.merge(guest) { $1 }
        let domain = "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
        return #"{"machine":\#(machine),"dom0":\#(dom0),"domains":[\#(domain)]\#(extra)}"#
    }

    /// A backup record of ldap's xvda, as JSON.
    static func backup(sha256: String) -> String {
        #"{"format":1,"domain":"ldap","id":"1","directory":"/srv/b","host":"cpt18","time":"t","consistency":"live","#
            + #""xenplanVersion":"0","disks":[{"vdev":"xvda","container":"vg18","volume":"a","size":{"kib":4096},"#
            + #""file":"xvda.img.zst","compressed":true,"sha256":"\#(sha256)","storedSize":{"kib":2048}}]}"#
    }

    static let cases: [(String, String, String?)] = [
        (
            "Int64.max memory", file(machine: #"{"memory":{"kib":9223372036854775807},"cpus":16,"xenVersion":"4.17.7"}"#),
            "machine.memory = 9223372036854775807 KiB, outside 0 KiB–1 PiB"
        ),
        (
            "negative CPUs", file(machine: #"{"memory":{"kib":50331648},"cpus":-1,"xenVersion":"4.17.7"}"#),
            "machine.cpus = -1, outside 1–4096"
        ),
        ("dom0 vCPUs", file(dom0: #"{"memory":{"kib":4194304},"vcpus":99999}"#), "dom0.vcpus = 99999, outside 0–4096"),
        (
            "guest vCPUs Int64.min", file(guest: ["vcpusOnline": "-9223372036854775808"]),
            "vcpusOnline of domain 'ldap' = -9223372036854775808, outside 0–4096"
        ),
        ("guest with domid 0", file(guest: ["domid": "0"]), "the domid of domain 'ldap' = 0, outside 1–32751"),
        (
            "guest memory above 1 PiB", file(guest: ["memoryStaticMax": #"{"kib":1099511627777}"#]),
            "memoryStaticMax of domain 'ldap' = 1099511627777 KiB, outside 0 KiB–1 PiB"
        ),
        ("next domid Int.max", file(extra: #","nextDomid":9223372036854775807"#), "nextDomid = 9223372036854775807, outside 1–32752"),
        ("infinite latency", file(extra: #","latencies":{"create":1e300}"#), "latencies.'create' = 1e+300, outside 0–86400 seconds"),
        (
            "negative injected failures", file(extra: #","failures":{"create":{"remaining":-3}}"#),
            "failures.'create'.remaining = -3, outside 0–9223372036854775807"
        ),
        (
            "volume of Int64.max",
            file(extra: #","storage":{"vg18":{"type":"lvm","capacity":{"kib":1073741824},"volumes":{"big":{"kib":9223372036854775807}}}}"#),
            "the size of volume 'big' of storage 'vg18' = 9223372036854775807 KiB, outside 0 KiB–1 PiB"
        ),
        ("format 2", file(extra: #","format":2"#), "format = 2, outside 1–1"),
        (
            "image of Int64.max",
            file(extra: #","images":{"/srv/x.raw":{"fileSize":{"kib":9223372036854775807},"virtualSize":{"kib":1},"format":"raw","sha256":"x"}}"#),
            "the file size of image '/srv/x.raw' = 9223372036854775807 KiB, outside 0 KiB–1 PiB"
        ),
        (
            "image in an unknown format",
            file(extra: #","images":{"/srv/x.vhd":{"fileSize":{"kib":1},"virtualSize":{"kib":1},"format":"vhd","sha256":"x"}}"#),
            "image '/srv/x.vhd' has format 'vhd', not raw or qcow2"
        ),
        (
            "image with a forged digest",
            file(extra: #","images":{"/srv/x.raw":{"fileSize":{"kib":1},"virtualSize":{"kib":1},"format":"raw","sha256":"\u001b[2J"}}"#),
            "image '/srv/x.raw' has sha256 '\\u{1b}[2J', not 64 lower-case hex digits"
        ),
        (
            "seed with an overlong instance id", file(extra: #","seeds":{"ldap":"\#(String(repeating: "i", count: 4097))"}"#),
            "the instance id of the seed of 'ldap' is 4097 bytes long, more than 4096"
        ),
        (
            "volume content that is no digest",
            file(extra: #","storage":{"vg18":{"type":"lvm","capacity":{"kib":1048576},"volumes":{"a":{"kib":4096}},"contents":{"a":"zz"}}}"#),
            "the content of volume 'a' of storage 'vg18' is 'zz', not 64 lower-case hex digits"
        ),
        (
            "backups in a volume group",
            file(
                extra:
                    #","storage":{"vg18":{"type":"lvm","capacity":{"kib":1048576},"backups":[\#(backup(sha256: String(repeating: "a", count: 64)))]}}"#
            ),
            "backups of storage 'vg18' are only kept in a dir pool"
        ),
        (
            "backup with a forged digest",
            file(extra: #","storage":{"/srv/b":{"type":"dir","capacity":{"kib":1048576},"backups":[\#(backup(sha256: "x"))]}}"#),
            "the sha256 of disk 'xvda' of backup '1' of 'ldap' in storage '/srv/b' is 'x', not 64 lower-case hex digits"
        ),
        (
            "save file of Int64.max",
            file(extra: #","saves":[{"directory":"/var/lib/xenplan/save","domain":"ldap","size":{"kib":9223372036854775807},"partial":false}]"#),
            "the size of the save file of 'ldap' = 9223372036854775807 KiB, outside 0 KiB–1 PiB"
        ),
        ("a valid file", file(), nil),
    ]

    @Test(arguments: cases)
    func outOfRangeFile(_ name: String, _ json: String, _ problem: String?) async throws {
        let dir = try TemporaryDirectory.create("sim")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = SimStore(directory: dir)
        try Data(json.utf8).write(to: store.liveURL("cpt18"))
        let driver = SimDriver(stateDirectory: dir, host: "cpt18", speed: 0)
        if let problem {
            await #expect(throws: SimError("cannot read simulated host file \(store.liveURL("cpt18").path): \(problem)")) {
                _ = try await driver.observe()
            }
        } else {
            #expect(try await driver.observe().guests.map(\.name) == ["ldap"])
        }
    }

    /// Escape sequences in a file's names are escaped on reading, like a host's answer.
    @Test func namesAreEscaped() async throws {
        let dir = try TemporaryDirectory.create("sim")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = SimStore(directory: dir)
        try Data(Self.file(guest: ["name": #""\u001b[2Jevil""#], extra: #","bridges":{"br\u009b0":[]}"#).utf8).write(to: store.liveURL("cpt18"))
        let state = try await SimDriver(stateDirectory: dir, host: "cpt18", speed: 0).observe()
        #expect(state.guests.map(\.name) == [#"\u{1b}[2Jevil"#])
        #expect(state.bridges.map(\.name) == [#"br\u{9b}0"#])
    }

    /// A configuration's seed disk is text from the file like any other disk.
    @Test func seedOfAConfigurationIsEscaped() async throws {
        let dir = try TemporaryDirectory.create("sim")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = SimStore(directory: dir)
        var file = try SimHostFile.decode(Data(Self.file().utf8))
        file.configs = [
            DomainConfig(
                name: "ldap", memory: .mib(256), maxmem: .mib(256), vcpus: 1, maxvcpus: 1,
                seed: DomainConfig.Seed(
                    target: "/var/lib/xenplan/seed/\u{1b}[2J.iso",
                    identity: ["hostname": "\u{9b}ldap"]))
        ]
        try store.write(file, to: store.liveURL("cpt18"))
        let seed = try await SimDriver(stateDirectory: dir, host: "cpt18", speed: 0).observe().configs.first?.seed
        #expect(seed == DomainConfig.Seed(target: #"/var/lib/xenplan/seed/\u{1b}[2J.iso"#, identity: ["hostname": #"\u{9b}ldap"#]))
    }
}
