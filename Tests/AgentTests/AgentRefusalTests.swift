import Agent
import Foundation
import Testing

/// Every kind of bad input the agent can be fed: each gets an `error` answer with its
/// code (and the request's id when it had a readable one), nothing runs, and the agent
/// answers the next valid request.
struct AgentRefusalTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var event: LineEvent
        var code: ProtocolErrorCode
        /// Sent after a hello (false: the agent has not been greeted yet).
        var greeted = true
        var testDescription: String { name }

        init(_ name: String, _ line: String, _ code: ProtocolErrorCode, greeted: Bool = true) {
            self.name = name
            event = .line(Data(line.utf8))
            self.code = code
            self.greeted = greeted
        }

        init(_ name: String, event: LineEvent, _ code: ProtocolErrorCode) {
            self.name = name
            self.event = event
            self.code = code
        }
    }

    static func perform(_ operation: String) -> String { #"{"type":"perform","id":7,"operation":"# + operation + "}" }
    /// A valid hello with one more field.
    static func hello(_ field: String) -> String { #"{"type":"hello","id":7,"versions":[2],"host":"cpt18","# + field + "}" }
    static let owner = #"{"user":"root","machine":"admin","pid":42,"time":"2026-12-01T10:00:00Z","command":"xenplan apply","runID":"r1"}"#
    /// A valid domain configuration with one piece of it replaced.
    static func config(replacing old: String, with new: String) -> String {
        let valid = #"{"writeConfig":{"_0":{"name":"web2","type":"pv","memory":{"kib":524288},"maxmem":{"kib":1048576},"vcpus":1,"maxvcpus":2,"cpuWeight":256,"cpuCap":0,"boot":{"pygrub":{}},"disks":[],"nics":[],"protect":false,"autostart":true,"manifestHash":"abc"}}}"#
        return valid.replacingOccurrences(of: old, with: new)
    }

    static let cases: [Case] = [
        Case("not JSON", "hello there", .badJSON),
        Case("JSON cut short", #"{"type":"observe","id":7"#, .badJSON),
        Case("invalid UTF-8", event: .line(Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D])), .badJSON),
        Case("nesting too deep", String(repeating: "[", count: 100_000), .badJSON),
        Case("input ends inside a line", event: .truncated(bytes: 17), .truncated),
        Case("line over 1 MiB", event: .oversized(bytes: 2_000_000), .tooLarge),
        Case("empty object", "{}", .badRequest),
        Case("array", "[1,2]", .badRequest),
        Case("bare number", "42", .badRequest),
        Case("bare string", #""observe""#, .badRequest),
        Case("null", "null", .badRequest),
        Case("type is a number", #"{"type":1,"id":7}"#, .badRequest),
        Case("unknown type", #"{"type":"reboot","id":7}"#, .unknownType),
        Case("negative id", #"{"type":"observe","id":-1}"#, .badRequest),
        Case("id is an object", #"{"type":"observe","id":{"a":1}}"#, .badRequest),
        Case("id too long", #"{"type":"observe","id":""# + String(repeating: "i", count: 65) + #""}"#, .badRequest),
        Case("unknown field", #"{"type":"observe","id":7,"shell":"rm -rf /"}"#, .badRequest),
        Case("perform without operation", #"{"type":"perform","id":7}"#, .badRequest),
        Case("unknown operation", perform(#"{"reboot":{"domain":"www"}}"#), .badRequest),
        Case("operation field of the wrong type", perform(#"{"setVcpus":{"domain":"www","count":"2"}}"#), .badRequest),
        Case("operation with an extra field", perform(#"{"destroy":{"domain":"www","force":true}}"#), .badRequest),
        Case("count beyond Int64", perform(#"{"setVcpus":{"domain":"www","count":1e30}}"#), .badRequest),
        Case("upper-case domain name", perform(#"{"destroy":{"domain":"WWW"}}"#), .invalidField),
        Case("domain name with a path", perform(#"{"destroy":{"domain":"../etc/passwd"}}"#), .invalidField),
        Case("domain name with shell syntax", perform(#"{"create":{"domain":"www;reboot"}}"#), .invalidField),
        Case("domain name of 64 characters", perform(#"{"destroy":{"domain":""# + String(repeating: "a", count: 64) + #""}}"#), .invalidField),
        Case("size zero", perform(#"{"setMemory":{"domain":"www","target":{"kib":0}}}"#), .invalidField),
        Case("negative size", perform(#"{"growVolume":{"container":"san","name":"www-root","size":{"kib":-1}}}"#), .invalidField),
        Case("size over 1 PiB", perform(#"{"createVolume":{"container":"san","name":"big","size":{"kib":1099511627777}}}"#), .invalidField),
        Case("zero vCPUs", perform(#"{"setVcpus":{"domain":"www","count":0}}"#), .invalidField),
        Case("513 vCPUs", perform(#"{"setVcpus":{"domain":"www","count":513}}"#), .invalidField),
        Case("weight zero", perform(#"{"setScheduler":{"domain":"www","weight":0,"cap":0}}"#), .invalidField),
        Case("weight 65536", perform(#"{"setScheduler":{"domain":"www","weight":65536,"cap":0}}"#), .invalidField),
        Case("volume group with a slash", perform(#"{"removeVolume":{"container":"vg/../x","name":"www-root"}}"#), .invalidField),
        Case("image directory with ..", perform(#"{"createVolume":{"container":"/srv/../etc","name":"x","size":{"kib":1024}}}"#), .invalidField),
        Case("volume name starting with -", perform(#"{"removeVolume":{"container":"san","name":"-rf"}}"#), .invalidField),
        Case("relative disk target", perform(#"{"attachDisk":{"domain":"www","disk":{"vdev":"xvdb","target":"dev/sda","readOnly":false}}}"#), .invalidField),
        Case("bad vdev", perform(#"{"detachDisk":{"domain":"www","vdev":"vda$(id)"}}"#), .invalidField),
        Case("bad MAC", perform(#"{"detachNic":{"domain":"www","mac":"00:16:3e:zz:00:01"}}"#), .invalidField),
        Case("bridge name of 16 characters", perform(#"{"createBridge":{"name":"xenbr0123456789a"}}"#), .invalidField),
        Case("migration target with an option", perform(#"{"migrate":{"domain":"www","toHost":"-oProxyCommand=x"}}"#), .invalidField),
        Case("config memory above maxmem", perform(config(replacing: #""memory":{"kib":524288}"#, with: #""memory":{"kib":2097152}"#)), .invalidField),
        Case("config kernel cmdline with a quote", perform(config(replacing: #""boot":{"pygrub":{}}"#, with: #""boot":{"kernel":{"kernel":"/boot/vmlinuz","cmdline":"root=/dev/xvda\" x"}}"#)), .invalidField),
        Case("lock without owner", #"{"type":"lock","id":7}"#, .badRequest),
        Case("lock owner with pid 0", #"{"type":"lock","id":7,"owner":"# + owner.replacingOccurrences(of: "42", with: "0") + "}", .invalidField),
        Case("second hello", #"{"type":"hello","id":7,"versions":[2],"host":"cpt18"}"#, .outOfOrder),
        Case("observe before hello", #"{"type":"observe","id":7}"#, .outOfOrder, greeted: false),
        Case("perform before hello", perform(#"{"destroy":{"domain":"www"}}"#), .outOfOrder, greeted: false),
        Case("lock before hello", #"{"type":"lock","id":7,"owner":"# + owner + "}", .outOfOrder, greeted: false),
        Case("hello with no common version", #"{"type":"hello","id":7,"versions":[3,4]}"#, .unsupportedVersion, greeted: false),
        // Protocol 1 clients send no volume groups: served, they would miss the volumes.
        Case("hello from a protocol 1 client", #"{"type":"hello","id":7,"versions":[1],"host":"cpt18"}"#, .unsupportedVersion, greeted: false),
        Case("hello without versions", #"{"type":"hello","id":7,"host":"cpt18"}"#, .badRequest, greeted: false),
        Case("hello for an unknown host", #"{"type":"hello","id":7,"versions":[2],"host":"cpt99"}"#, .hostUnavailable, greeted: false),
        Case("hello with a host name of the wrong type", #"{"type":"hello","id":7,"versions":[2],"host":18}"#, .badRequest, greeted: false),
        Case("hello with volumeGroups not an array", hello(#""volumeGroups":"vg18""#), .badRequest, greeted: false),
        Case("hello with a volume group of the wrong type", hello(#""volumeGroups":[18]"#), .badRequest, greeted: false),
        Case("hello with 65 volume groups", hello(#""volumeGroups":["# + Array(repeating: #""vg""#, count: 65).joined(separator: ",") + "]"),
             .badRequest, greeted: false),
        Case("hello with a volume group starting with -", hello(#""volumeGroups":["vg18","-vg"]"#), .invalidField, greeted: false),
        Case("hello with the volume group ..", hello(#""volumeGroups":[".."]"#), .invalidField, greeted: false),
        Case("hello with a volume group with a slash", hello(#""volumeGroups":["vg/../x"]"#), .invalidField, greeted: false),
        Case("hello with an empty volume group", hello(#""volumeGroups":[""]"#), .invalidField, greeted: false),
        Case("hello with a volume group of 128 characters", hello(#""volumeGroups":[""# + String(repeating: "v", count: 128) + #""]"#),
             .invalidField, greeted: false),
    ]

    @Test(arguments: cases)
    func refusedAndStillServing(_ c: Case) async throws {
        let agent = try AgentFixture()
        if c.greeted { #expect(await agent.send(AgentFixture.hello).first?.type == "hello") }
        let before = try await SimDriverState.snapshot(agent.state)
        let answers = await agent.send(c.event)
        #expect(answers.count == 1)
        let answer = try #require(answers.first)
        #expect(answer.type == "error")
        #expect(answer.code == c.code, "\(answer.message ?? "")")
        #expect(answer.message?.isEmpty == false)
        if case let .line(data) = c.event, c.code != .badJSON, String(decoding: data, as: UTF8.self).contains(#""id":7"#) {
            #expect(answer.id == .number(7))
        }
        // Nothing ran...
        #expect(try await SimDriverState.snapshot(agent.state) == before)
        // ...and the agent still serves.
        if !c.greeted { #expect(await agent.send(AgentFixture.hello).first?.type == "hello") }
        let observed = await agent.send(#"{"type":"observe","id":"last"}"#)
        #expect(observed.first?.type == "state")
        #expect(observed.first?.id == .text("last"))
    }

    @Test func thereAreAtLeastThirtyKinds() {
        #expect(Self.cases.count >= 30)
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count)
    }

    @Test func blankLinesAreIgnored() async throws {
        let agent = try AgentFixture()
        #expect(await agent.send("   ").isEmpty)
    }

    @Test func agentPinnedToAHostRefusesAnother() async throws {
        let agent = try AgentFixture(host: "cpt76")
        let answer = await agent.send(AgentFixture.hello).first
        #expect(answer?.code == .wrongHost)
        #expect(answer?.message == "this agent serves host cpt76, not cpt18")
    }
}

/// The simulated hosts' files, to show that a refused request changed nothing.
enum SimDriverState {
    static func snapshot(_ directory: URL) async throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".json") {
            files[name] = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
        }
        return files
    }
}
