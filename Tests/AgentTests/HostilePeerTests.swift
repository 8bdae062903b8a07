import Agent
import Foundation
import HostModel
import Testing
import XenplanBasics

/// Whatever a host sends back is input: the real client, behind a fake `ssh` that plays a
/// broken or hostile agent, must end every case with a message that names the host, never
/// a crash, a hang or a raw escape sequence. Deadlines are short here so that silence is
/// noticed fast; nothing waits for a fixed time to pass.
struct HostilePeerTests {
    enum Request: Sendable {
        case observe
        case perform(HostOperation)
    }

    enum Outcome: Sendable {
        /// `HostError.description`, exactly.
        case fails(String)
        /// Observed, with these guest names (as escaped) and Xen version.
        case observes(guests: [String], xenVersion: String = "4.17.7")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var script: FakeAgent.Script
        var request: Request = .observe
        var outcome: Outcome
        var limits: AgentLimits
        var testDescription: String { name }

        init(
            _ name: String, _ script: FakeAgent.Script, _ request: Request, _ outcome: Outcome,
            limits: AgentLimits = HostilePeerTests.limits
        ) {
            self.name = name
            self.script = script
            self.request = request
            self.outcome = outcome
            self.limits = limits
        }

        init(_ name: String, _ script: FakeAgent.Script, _ outcome: Outcome, limits: AgentLimits = HostilePeerTests.limits) {
            self.init(name, script, .observe, outcome, limits: limits)
        }
    }

    static var oneMiB: AgentLimits {
        var limits = AgentLimits()
        limits.maxReplyBytes = 1 << 20
        return limits
    }

    /// The defaults: answers that come are taken however loaded the machine is.
    static let limits = AgentLimits()

    /// A deadline of 0.3 s for the requests that are never answered, and only for them.
    static let short: AgentLimits = {
        var limits = AgentLimits()
        limits.connect = .milliseconds(300)
        limits.observe = .milliseconds(300)
        limits.create = .milliseconds(300)
        limits.shutdownMargin = .milliseconds(300)
        limits.operation = .milliseconds(300)
        return limits
    }()

    static func answers(_ reply: Data) -> FakeAgent.Script { FakeAgent.Script(reply: reply) }
    static func answers(_ reply: String) -> FakeAgent.Script { FakeAgent.Script(reply: FakeAgent.line(reply)) }
    static func state(_ fields: [String: String]) -> FakeAgent.Script { answers(FakeAgent.state(fields)) }
    static func guest(_ fields: [String: String]) -> FakeAgent.Script { answers(FakeAgent.state(domains: [FakeAgent.domain(fields)])) }

    static let observe = "host cpt18: observe failed: "
    static let outOfRange = "; nothing is planned from such a state"
    static let stopped = "; ssh was stopped: check the host, then run the command again"

    static let cases: [Case] = [
        // Numbers out of range.
        Case(
            "totalMemory Int64.max", state(["totalMemory": #"{"kib":9223372036854775807}"#]),
            .fails(observe + "the host reported totalMemory = 9223372036854775807 KiB, outside 0 KiB–1 PiB" + outOfRange)),
        Case(
            "totalMemory 1 PiB + 1 KiB", state(["totalMemory": #"{"kib":1099511627777}"#]),
            .fails(observe + "the host reported totalMemory = 1099511627777 KiB, outside 0 KiB–1 PiB" + outOfRange)),
        Case(
            "negative freeMemory", state(["freeMemory": #"{"kib":-1}"#]),
            .fails(observe + "the host reported freeMemory = -1 KiB, outside 0 KiB–1 PiB" + outOfRange)),
        Case(
            "dom0Memory Int64.min", state(["dom0Memory": #"{"kib":-9223372036854775808}"#]),
            .fails(observe + "the host reported dom0Memory = -9223372036854775808 KiB, outside 0 KiB–1 PiB" + outOfRange)),
        Case(
            "no CPUs", state(["cpus": "0"]),
            .fails(observe + "the host reported cpus = 0, outside 1–4096" + outOfRange)),
        Case(
            "negative CPUs", state(["cpus": "-16"]),
            .fails(observe + "the host reported cpus = -16, outside 1–4096" + outOfRange)),
        Case(
            "vcpusOnline Int64.min", guest(["vcpusOnline": "-9223372036854775808"]),
            .fails(observe + "the host reported vcpusOnline of domain 'ldap' = -9223372036854775808, outside 0–4096" + outOfRange)),
        Case(
            "maxVcpus 100000", guest(["maxVcpus": "100000"]),
            .fails(observe + "the host reported maxVcpus of domain 'ldap' = 100000, outside 0–4096" + outOfRange)),
        Case(
            "reserved domid", guest(["domid": "32752"]),
            .fails(observe + "the host reported the domid of domain 'ldap' = 32752, outside 0–32751" + outOfRange)),
        Case(
            "negative domid", guest(["domid": "-1"]),
            .fails(observe + "the host reported the domid of domain 'ldap' = -1, outside 0–32751" + outOfRange)),
        Case(
            "memoryActual Int64.max", guest(["memoryActual": #"{"kib":9223372036854775807}"#]),
            .fails(observe + "the host reported memoryActual of domain 'ldap' = 9223372036854775807 KiB, outside 0 KiB–1 PiB" + outOfRange)),
        Case(
            "cpuWeight 70000", guest(["cpuWeight": "70000"]),
            .fails(observe + "the host reported cpuWeight of domain 'ldap' = 70000, outside 0–65535" + outOfRange)),
        Case(
            "negative cpuCap", guest(["cpuCap": "-1"]),
            .fails(observe + "the host reported cpuCap of domain 'ldap' = -1, outside 0–409600" + outOfRange)),
        Case(
            "40000 domains", answers(FakeAgent.state(domains: Array(repeating: FakeAgent.domain(), count: 40_000))),
            .fails(observe + "the host reported domains = 40001, more than the 32752 a host can have" + outOfRange)),
        Case(
            "a name of 5000 bytes", guest(["name": "\"" + String(repeating: "a", count: 5000) + "\""]),
            .fails(
                observe + "the host reported the name of domain '\(String(repeating: "a", count: 48))…' is 5000 bytes long, more than 4096"
                    + outOfRange)),
        Case(
            "number beyond Int64", state(["totalMemory": #"{"kib":9223372036854775808}"#]),
            .fails(
                observe + "the agent's answer does not fit the protocol (a number beyond 64 bits, or a fraction where a whole number belongs)"
                    + stopped)),
        Case(
            "number 1e400", state(["cpus": "1e400"]),
            .fails(
                observe
                    + #"the agent's answer is not the protocol ('{"type":"state","id":2,"state":{"name":"cpt18","xenVersion":"4.17.7","totalMemor…')"#
                    + stopped)),
        Case(
            "fractional count", state(["cpus": "16.5"]),
            .fails(
                observe + "the agent's answer does not fit the protocol (a number beyond 64 bits, or a fraction where a whole number belongs)"
                    + stopped)),

        // Shapes that are not the protocol's.
        Case(
            "a count as a string", state(["cpus": #""16""#]),
            .fails(
                observe + "the agent's answer does not fit the protocol (state.cpus: Expected to decode Int but found a string instead.)" + stopped)),
        Case(
            "a name as a number", guest(["name": "5"]),
            .fails(
                observe + "the agent's answer does not fit the protocol (state.domains.1.name: Expected to decode String but found number instead.)"
                    + stopped)),
        Case(
            "a missing field", state(["xenVersion": "-"]),
            .fails(
                observe
                    + "the agent's answer does not fit the protocol (state: No value associated with key CodingKeys(stringValue: \"xenVersion\", intValue: nil) (\"xenVersion\").)"
                    + stopped)),
        Case(
            "an unknown run state", guest(["state": #""zombie""#]),
            .fails(
                observe
                    + "the agent's answer does not fit the protocol (state.domains.1.state: Cannot initialize RunState from invalid String value zombie)"
                    + stopped)),
        Case(
            "truncated JSON", answers(#"{"type":"state","id":2,"state":{"name":"cpt18""#),
            .fails(observe + #"the agent's answer is not the protocol ('{"type":"state","id":2,"state":{"name":"cpt18"')"# + stopped)),
        Case(
            "non-UTF-8", answers(Data(#"{"type":"state","id":2,"state":{"name":"cpt"#.utf8) + Data([0xFF, 0xFE]) + Data("\"}}\n".utf8)),
            .fails(observe + #"the agent's answer is not the protocol ('{"type":"state","id":2,"state":{"name":"cpt\u{fffd}\u{fffd}"}}')"# + stopped)),
        Case(
            "an answer without an id", answers(#"{"type":"error","code":"bad-json","message":"\u001b[2Jnot JSON"}"#),
            .fails(observe + #"the agent's answer is not the protocol ('\\u{1b}[2Jnot JSON')"# + stopped)),
        Case(
            "the state of another host", state(["name": #""cpt76""#]),
            .fails(observe + "the agent answered with the state of host 'cpt76'; check the host's connection in the manifests")),
        Case(
            "extra fields are ignored", answers(FakeAgent.state(domains: [FakeAgent.domain(["future": #"{"x":[1,2]}"#])], extra: #","later":true"#)),
            .observes(guests: ["ldap"])),

        // Lines too long, output cut short.
        Case(
            "a 2 MiB line", answers(FakeAgent.line(#"{"type":"state","id":2,"pad":""# + String(repeating: "x", count: 2 << 20) + #""}"#)),
            .fails(observe + "the agent's answer is a line longer than 1 MiB, the most xenplan reads (XENPLAN_MAX_REPLY sets it)" + stopped),
            limits: oneMiB),
        Case(
            "an endless line", answers(Data(String(repeating: "y", count: 3 << 20).utf8)),
            .fails(observe + "the agent's answer is a line longer than 1 MiB, the most xenplan reads (XENPLAN_MAX_REPLY sets it)" + stopped),
            limits: oneMiB),
        Case(
            "output cut in the middle of an answer", FakeAgent.Script(reply: Data(#"{"type":"state","id":2"#.utf8), exitAfterReply: 0),
            .fails(observe + "the connection dropped while reading the host; run the command again")),

        // Silence and slowness.
        Case(
            "silence after observe", FakeAgent.Script(reply: nil),
            .fails(observe + "no answer within 0.3 s (XENPLAN_TIMEOUT_OBSERVE sets the limit)" + stopped),
            limits: short),
        Case(
            "silence after hello", FakeAgent.Script(hello: nil),
            .fails(
                "host cpt18: connect failed: no answer within 0.3 s (XENPLAN_TIMEOUT_CONNECT sets the limit); ssh was stopped: check the host and its xenplan (the same version as here)"
            ),
            limits: short),
        Case(
            "an answer after the deadline", FakeAgent.Script(reply: FakeAgent.state(), delay: 30),
            .fails(observe + "no answer within 0.3 s (XENPLAN_TIMEOUT_OBSERVE sets the limit)" + stopped),
            limits: short),
        Case(
            "an answer to another request", answers(#"{"type":"ok","id":99}"#),
            .fails(observe + "no answer within 0.3 s (XENPLAN_TIMEOUT_OBSERVE sets the limit)" + stopped),
            limits: short),

        // Escape sequences: escaped where they enter.
        Case(
            "escape sequences in names",
            answers(
                FakeAgent.state(domains: [
                    FakeAgent.domain(["name": #""\u001b[2J\u001b[HApply complete""#, "domid": "4"]),
                    FakeAgent.domain(["name": #""web\u009b31m""#, "domid": "5"]),
                ])), .observes(guests: [#"\u{1b}[2J\u{1b}[HApply complete"#, #"web\u{9b}31m"#])),
        Case(
            "escape sequences in the Xen version", state(["xenVersion": #""4.17\u001b]0;owned\u0007""#]),
            .observes(guests: ["ldap"], xenVersion: #"4.17\u{1b}]0;owned\u{7}"#)),
        Case(
            "an escape sequence in a refusal",
            answers(#"{"type":"error","id":2,"code":"observe-failed","message":"\u001b[1A\u001b[2KApply complete in 1 s: 9 done"}"#),
            .fails(observe + #"the agent refused the request: \u{1b}[1A\u{1b}[2KApply complete in 1 s: 9 done (observe-failed)"#)),
        Case(
            "an escape sequence in ssh's stderr",
            FakeAgent.Script(hello: nil, stderr: Data("ssh: \u{1b}[31mConnection refused\u{1b}[0m\n".utf8), exitAfterHello: 255),
            .fails(
                #"host cpt18: ssh failed: cannot reach it over ssh: ssh: \u{1b}[31mConnection refused\u{1b}[0m; check that it is up and that sshd listens on port 22"#
            )),

        // Protocol versions.
        Case(
            "a newer protocol",
            FakeAgent.Script(hello: FakeAgent.line(#"{"type":"hello","id":1,"version":3,"versions":[3],"host":"cpt18","capabilities":[]}"#)),
            .fails("host cpt18: connect failed: the xenplan on the host speaks agent protocol 3, this one speaks 2; install the same version on both")
        ),
        Case(
            "a negative protocol",
            FakeAgent.Script(hello: FakeAgent.line(#"{"type":"hello","id":1,"version":-1,"versions":[-1],"host":"cpt18","capabilities":[]}"#)),
            .fails(
                "host cpt18: connect failed: the xenplan on the host speaks agent protocol -1, this one speaks 2; install the same version on both")),
        Case(
            "a protocol version beyond Int", FakeAgent.Script(hello: FakeAgent.line(#"{"type":"hello","id":1,"version":1e30,"host":"cpt18"}"#)),
            .fails(
                "host cpt18: connect failed: the agent's answer does not fit the protocol (a number beyond 64 bits, or a fraction where a whole number belongs); ssh was stopped: check the host and its xenplan (the same version as here)"
            )),

        // Operations.
        Case(
            "an escape sequence in the host's failure",
            answers(
                #"{"type":"error","id":2,"code":"operation-failed","message":"x","error":{"host":"cpt76","operation":"destroy","domain":"www","message":"\u001b[1A\u001b[2K  done    #4  cpt18  migrate\nlibxl: error"}}"#
            ),
            .perform(.setMemory(domain: "ldap", target: .mib(512))),
            .fails("host cpt18: mem-set of domain ldap failed: \\u{1b}[1A\\u{1b}[2K  done    #4  cpt18  migrate\nlibxl: error")),
        Case(
            "silence during create", FakeAgent.Script(reply: nil), .perform(.create(domain: "web")),
            .fails(
                "host cpt18: create of domain web failed: no answer within 0.3 s (XENPLAN_TIMEOUT_CREATE sets the limit); ssh was stopped, but create of web may still be running on the host: run `xenplan plan` to see"
            ),
            limits: short),
        Case(
            "silence during a shutdown", FakeAgent.Script(reply: nil), .perform(.shutdown(domain: "web", timeoutSeconds: 0)),
            .fails(
                "host cpt18: shutdown of domain web failed: no answer within 0.3 s (XENPLAN_TIMEOUT_SHUTDOWN_MARGIN sets the limit); ssh was stopped, but shutdown of web may still be running on the host: run `xenplan plan` to see"
            ),
            limits: short),
        Case(
            "silence during mem-set", FakeAgent.Script(reply: nil), .perform(.setMemory(domain: "ldap", target: .mib(512))),
            .fails(
                "host cpt18: mem-set of domain ldap failed: no answer within 0.3 s (XENPLAN_TIMEOUT_OPERATION sets the limit); ssh was stopped, but mem-set of ldap may still be running on the host: run `xenplan plan` to see"
            ),
            limits: short),
    ]

    @Test(arguments: cases)
    func hostilePeer(_ test: Case) async throws {
        let agent = try FakeAgent(test.script)
        defer { agent.remove() }
        let driver = agent.driver(limits: test.limits)
        defer { Task { await driver.disconnect() } }
        do {
            switch test.request {
            case .observe:
                let state = try await driver.observe()
                guard case let .observes(guests, version) = test.outcome else {
                    Issue.record("observed \(state.guests.map(\.name)), expected a failure")
                    return
                }
                #expect(state.guests.map(\.name) == guests)
                #expect(state.xenVersion == version)
            case let .perform(operation):
                try await driver.perform(operation)
                Issue.record("\(operation.kind) succeeded, expected a failure")
            }
        } catch let error as HostError {
            guard case let .fails(message) = test.outcome else {
                Issue.record("failed: \(error)")
                return
            }
            #expect(error.description == message)
            #expect(error.host == "cpt18")
        }
    }

    /// An answer that comes slowly, but within its deadline, is taken.
    @Test func aSlowAnswerWithinTheDeadlineIsTaken() async throws {
        let agent = try FakeAgent(FakeAgent.Script(reply: FakeAgent.state(), delay: 0.2))
        defer { agent.remove() }
        let driver = agent.driver(limits: Self.limits)
        let state = try await driver.observe()
        #expect(state.guests.map(\.name) == ["ldap"])
        await driver.disconnect()
    }

    /// The hello tells the agent the host's declared storage and images.
    @Test func theHelloCarriesTheDeclaredStorageAndImages() async throws {
        let agent = try FakeAgent(FakeAgent.Script(reply: FakeAgent.state()))
        defer { agent.remove() }
        let target = SshTarget(
            user: "root", address: "cpt18.example.org", port: nil, imageDirectories: ["/srv/xen-images"],
            volumeGroups: ["vg18"], imagePaths: ["/var/lib/xenplan/images/debian12.qcow2"])
        let driver = agent.driver(limits: Self.limits, target: target)
        _ = try await driver.observe()
        await driver.disconnect()
        #expect(
            try agent.receivedHello()
                == #"{"client":"0.0.test","concurrency":4,"host":"cpt18","id":1,"imageDirectories":["/srv/xen-images"],"imagePaths":["/var/lib/xenplan/images/debian12.qcow2"],"type":"hello","versions":[2],"volumeGroups":["vg18"]}"#
                + "\n")
    }

    /// A deadline stops ssh: the fake's process is gone once the error is thrown.
    @Test func aMissedDeadlineStopsSsh() async throws {
        let agent = try FakeAgent(FakeAgent.Script(reply: nil))
        defer { agent.remove() }
        var limits = AgentLimits()
        limits.observe = .milliseconds(300)
        await #expect(throws: HostError.self) { try await agent.driver(limits: limits).observe() }
        let pid = try #require(
            Int32(
                String(contentsOf: agent.folder.appendingPathComponent("pid"), encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "ssh \(pid) still runs")
    }

    /// A setting in the environment that is not a duration is reported by the first
    /// request, naming the host and the variable.
    @Test(arguments: [
        (
            "XENPLAN_TIMEOUT_OBSERVE", "soon",
            "host cpt18: connect failed: XENPLAN_TIMEOUT_OBSERVE='soon' is not a number of seconds between 0 and 604800 (one week)"
        ),
        (
            "XENPLAN_TIMEOUT_CREATE", "-5",
            "host cpt18: connect failed: XENPLAN_TIMEOUT_CREATE='-5' is not a number of seconds between 0 and 604800 (one week)"
        ),
        (
            "XENPLAN_TIMEOUT_MIGRATE", "inf",
            "host cpt18: connect failed: XENPLAN_TIMEOUT_MIGRATE='inf' is not a number of seconds between 0 and 604800 (one week)"
        ),
        ("XENPLAN_MAX_REPLY", "1T", "host cpt18: connect failed: XENPLAN_MAX_REPLY='1T' is not a size between 64K and 1G"),
    ])
    func badSettings(_ variable: String, _ value: String, _ message: String) async throws {
        #expect(throws: HostLimitsError.self) { try AgentLimits.fromEnvironment([variable: value]) }
        do {
            _ = try AgentLimits.fromEnvironment([variable: value])
        } catch {
            #expect("host cpt18: connect failed: \(error)" == message)
        }
    }

    @Test func settingsFromTheEnvironment() throws {
        let limits = try AgentLimits.fromEnvironment([
            "XENPLAN_TIMEOUT_OBSERVE": "90", "XENPLAN_TIMEOUT_CREATE": "0.5", "XENPLAN_TIMEOUT_SHUTDOWN_MARGIN": "30",
            "XENPLAN_MAX_REPLY": "64M",
        ])
        #expect(limits.observe == .seconds(90))
        #expect(limits.create == .milliseconds(500))
        #expect(limits.migrate == .seconds(1800))
        #expect(limits.maxReplyBytes == 64 << 20)
        #expect(limits.deadline(for: .shutdown(domain: "web", timeoutSeconds: 120)).duration == .seconds(150))
        #expect(limits.deadline(for: .migrate(domain: "web", toHost: "cpt76")).setting == "XENPLAN_TIMEOUT_MIGRATE")
        #expect(limits.deadline(for: .destroy(domain: "web")).duration == .seconds(120))
        let copy = HostOperation.createVolumeFromImage(
            container: "vg18", name: "web-root", size: .gib(8),
            image: ImageSource(name: "debian12", path: "/srv/d.img", format: "raw"))
        #expect(limits.deadline(for: copy).duration == .seconds(3600))
        #expect(limits.deadline(for: copy).setting == "XENPLAN_TIMEOUT_COPY_IMAGE")
        #expect(try AgentLimits.fromEnvironment(["XENPLAN_TIMEOUT_COPY_IMAGE": "7200"]).deadline(for: copy).duration == .seconds(7200))
        #expect(AgentLimits().maxReplyBytes == 16 << 20)
        // Saves and restores move a guest's memory like a migration; backups and restores
        // of volumes copy disks, a backup one copy's time per disk.
        #expect(limits.deadline(for: .save(domain: "web", directory: "/var/lib/xenplan/save")).setting == "XENPLAN_TIMEOUT_MIGRATE")
        #expect(limits.deadline(for: .restore(domain: "web", directory: "/var/lib/xenplan/save")).duration == .seconds(1800))
        #expect(limits.deadline(for: .removeSave(domain: "web", directory: "/var/lib/xenplan/save", partial: false)).duration == .seconds(120))
        let source = BackupSource(domain: "web", id: "20261202T013000Z", path: "/srv/b/xvda.img", compressed: false, sha256: "")
        let restore = HostOperation.restoreVolume(container: "vg18", name: "web-root", size: .gib(8), source: source, replace: false)
        #expect(limits.deadline(for: restore).duration == .seconds(3600))
        let disk = BackupJob.Disk(vdev: "xvda", container: "vg18", volume: "web-root", size: .gib(8), poolKind: "lvm")
        var twoDisks = disk
        twoDisks.vdev = "xvdb"
        let backup = HostOperation.backup(
            BackupJob(
                domain: "web", directory: "/srv/b", disks: [disk, twoDisks], pause: false, consistency: "live", keep: 7, config: nil,
                xenplanVersion: "0.13.0"))
        #expect(limits.deadline(for: backup).duration == .seconds(7200))
        #expect(limits.deadline(for: backup).setting == "XENPLAN_TIMEOUT_COPY_IMAGE")
    }
}
