import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

@testable import Agent

/// A session whose hello asks for `concurrency`: operations overlap on the host, each
/// answered when it is done; never two on one domain; never more than the bound. A
/// hello without it is served as before, one request at a time, in order.
@Suite struct AgentConcurrencyTests {
    let agent: AgentFixture

    init() throws { agent = try AgentFixture() }

    /// The agent over pipes, serving the simulated cpt18 (no latencies) behind `gates`.
    func connect(gates: Gates, maxConcurrency: Int = 4) -> AgentPolicyTests.Connection {
        let directory = agent.state
        let server = AgentServer(
            configuration: .init(
                xenplanVersion: "0.0.test", lockDirectory: directory.appendingPathComponent("run"),
                maxConcurrency: maxConcurrency),
            factory: { session in GatedHost(sim: SimDriver(stateDirectory: directory, host: session.host, speed: 0), gates: gates) })
        return AgentPolicyTests.Connection(server)
    }

    static func hello(concurrency: Int?) -> String {
        #"{"type":"hello","id":0,"versions":[2],"host":"cpt18""# + (concurrency.map { #","concurrency":\#($0)"# } ?? "") + "}"
    }

    static func setMemory(_ id: Int, _ domain: String) -> String {
        #"{"type":"perform","id":\#(id),"operation":{"setMemory":{"domain":"\#(domain)","target":{"kib":262144}}}}"#
    }

    static func setVcpus(_ id: Int, _ domain: String) -> String {
        #"{"type":"perform","id":\#(id),"operation":{"setVcpus":{"domain":"\#(domain)","count":1}}}"#
    }

    @Test func operationsOverlapAndAnswersComeAsEachIsDone() async throws {
        let gates = Gates()
        let connection = connect(gates: gates)
        var answers = connection.answers
        connection.send(Self.hello(concurrency: 4))
        let hello = try #require(await answers.next())
        #expect(hello.type == "hello")
        #expect(hello.concurrency == 4)
        connection.send(Self.setMemory(1, "www"))
        connection.send(Self.setVcpus(2, "nagios"))
        // Both are inside the host's driver at once: neither can finish until its gate opens.
        await gates.waitUntilStarted("mem-set www")
        await gates.waitUntilStarted("vcpu-set nagios")
        gates.open("vcpu-set nagios")
        let first = try #require(await answers.next())
        #expect(first.id == .number(2))
        #expect(first.type == "ok")
        gates.open("mem-set www")
        let second = try #require(await answers.next())
        #expect(second.id == .number(1))
        #expect(second.type == "ok")
        connection.input.close()
        await connection.task.value
    }

    @Test func requestsOnOneDomainWaitTheirTurnWithoutHoldingUpOthers() async throws {
        let gates = Gates()
        let connection = connect(gates: gates)
        var answers = connection.answers
        connection.send(Self.hello(concurrency: 4))
        #expect(await answers.next()?.concurrency == 4)
        connection.send(Self.setMemory(1, "www"))
        connection.send(Self.setVcpus(2, "www"))
        connection.send(Self.setVcpus(3, "nagios"))
        // Request 3 runs, so request 2 was entered before it; it waits for request 1.
        await gates.waitUntilStarted("vcpu-set nagios")
        await gates.waitUntilStarted("mem-set www")
        #expect(gates.started == ["mem-set www", "vcpu-set nagios"])
        gates.open("vcpu-set nagios")
        #expect(await answers.next()?.id == .number(3))
        #expect(!gates.started.contains("vcpu-set www"))
        gates.open("mem-set www")
        #expect(await answers.next()?.id == .number(1))
        await gates.waitUntilStarted("vcpu-set www")
        gates.open("vcpu-set www")
        #expect(await answers.next()?.id == .number(2))
        connection.input.close()
        await connection.task.value
    }

    @Test func theBoundHoldsTheNextOperationButNotAnObservation() async throws {
        let gates = Gates()
        // The host allows 2; the client asks for 4 and is told 2.
        let connection = connect(gates: gates, maxConcurrency: 2)
        var answers = connection.answers
        connection.send(Self.hello(concurrency: 4))
        #expect(await answers.next()?.concurrency == 2)
        connection.send(Self.setMemory(1, "www"))
        connection.send(Self.setVcpus(2, "nagios"))
        connection.send(Self.setVcpus(3, "ldap"))
        connection.send(#"{"type":"observe","id":4}"#)
        await gates.waitUntilStarted("mem-set www")
        await gates.waitUntilStarted("vcpu-set nagios")
        // The observation runs beside the operations; once it is answered, request 3 has
        // been read (requests are entered in order) and waits for a place.
        let observed = try #require(await answers.next())
        #expect(observed.id == .number(4))
        #expect(observed.type == "state")
        #expect(gates.started == ["mem-set www", "vcpu-set nagios"])
        gates.open("mem-set www")
        #expect(await answers.next()?.id == .number(1))
        await gates.waitUntilStarted("vcpu-set ldap")
        gates.open("vcpu-set ldap")
        #expect(await answers.next()?.id == .number(3))
        gates.open("vcpu-set nagios")
        #expect(await answers.next()?.id == .number(2))
        connection.input.close()
        await connection.task.value
    }

    /// A client that does not ask (an older xenplan, a person typing) is served in order.
    @Test func aHelloWithoutConcurrencyIsServedInOrder() async throws {
        let gates = Gates()
        let connection = connect(gates: gates)
        var answers = connection.answers
        connection.send(Self.hello(concurrency: nil))
        let hello = try #require(await answers.next())
        #expect(hello.type == "hello")
        #expect(hello.concurrency == nil)
        connection.send(Self.setMemory(1, "www"))
        connection.send(#"{"type":"observe","id":2}"#)
        connection.send(Self.setVcpus(3, "nagios"))
        await gates.waitUntilStarted("mem-set www")
        gates.open("mem-set www")
        gates.open("vcpu-set nagios")
        #expect(await answers.next()?.id == .number(1))
        #expect(await answers.next()?.id == .number(2))
        #expect(await answers.next()?.id == .number(3))
        #expect(gates.started == ["mem-set www", "vcpu-set nagios"])
        connection.input.close()
        await connection.task.value
    }

    /// The end of input ends the agent only once every operation it read is answered.
    @Test func theEndOfInputWaitsForRunningOperations() async throws {
        let gates = Gates()
        let connection = connect(gates: gates)
        var answers = connection.answers
        connection.send(Self.hello(concurrency: 4))
        _ = await answers.next()
        connection.send(Self.setMemory(1, "www"))
        connection.send(Self.setVcpus(2, "nagios"))
        await gates.waitUntilStarted("mem-set www")
        await gates.waitUntilStarted("vcpu-set nagios")
        connection.input.close()
        gates.open("mem-set www")
        gates.open("vcpu-set nagios")
        let ids = Set([await answers.next()?.id, await answers.next()?.id])
        #expect(ids == [.number(1), .number(2)])
        await connection.task.value
    }

    @Test func aConcurrencyOutOfRangeIsRefusedNamingTheField() async throws {
        let answer = try #require(await agent.send(Self.hello(concurrency: 65)).first)
        #expect(answer.code == .invalidField)
        #expect(answer.message == "concurrency: 65 is not a number of operations served at once (1 to 64)")
        let typed = try #require(await agent.send(#"{"type":"hello","id":0,"versions":[2],"host":"cpt18","concurrency":"4"}"#).first)
        #expect(typed.code == .badRequest)
        #expect(typed.message == "'concurrency' must be an integer, not a string")
    }

    // MARK: What overlaps

    @Test func keysNameTheDomainVolumeAndBridge() {
        #expect(RequestScheduler.keys(of: .setMemory(domain: "web--incoming", target: .mib(512))) == ["domain web"])
        #expect(RequestScheduler.keys(of: .createVolume(container: "vg18", name: "web-root", size: .gib(8))) == ["volume vg18/web-root"])
        #expect(
            RequestScheduler.keys(
                of: .attachDisk(domain: "web", disk: .init(vdev: "xvdb", target: "/dev/vg18/web-data")))
                == ["domain web", "volume vg18/web-data"])
        #expect(
            RequestScheduler.keys(
                of: .attachDisk(domain: "web", disk: .init(vdev: "xvdb", target: "/srv/xen-images/web-data.img")))
                == ["domain web", "volume /srv/xen-images/web-data"])
        #expect(RequestScheduler.keys(of: .createBridge(name: "xenbr1", interface: "eth1")) == ["bridge xenbr1"])
        #expect(RequestScheduler.keys(of: .observe)?.counted == false)
        #expect(RequestScheduler.keys(of: .breakLock)?.keys == ["lock"])
    }

    @Test func theSchedulerStartsInOrderWithinEachKey() async {
        let scheduler = RequestScheduler(limit: 2)
        let a = scheduler.enter(keys: ["domain www"], counted: true)
        let b = scheduler.enter(keys: ["domain www"], counted: true)
        let c = scheduler.enter(keys: ["domain ldap"], counted: true)
        let d = scheduler.enter(keys: ["domain nagios"], counted: true)
        let observe = scheduler.enter(keys: ["observe"], counted: false)
        await scheduler.start(a)
        await scheduler.start(c)
        await scheduler.start(observe)
        #expect(scheduler.runningOperations == 2)
        scheduler.finish(c)
        // d, not b: b still waits for a.
        await scheduler.start(d)
        scheduler.finish(a)
        scheduler.finish(d)
        await scheduler.start(b)
        #expect(scheduler.runningOperations == 1)
        scheduler.finish(b)
        scheduler.finish(observe)
        #expect(scheduler.runningOperations == 0)
    }

    // MARK: The client

    /// Answers that come in another order than their requests reach each caller.
    @Test func theClientMatchesAnswersOutOfOrder() async throws {
        let (client, peerInput, peerOutput) = AgentFixture.pipedClient()
        let peerIn = LineReader(fd: peerInput, limit: 1 << 20, closing: true)
        let peerOut = LineWriter(fd: peerOutput)
        // The peer reads three requests, then answers them last first, with progress for one.
        let peer = Task {
            var ids: [RequestID] = []
            for await event in peerIn.events {
                guard case let .line(data) = event, let id = AgentRequest.peekID(data) else { continue }
                ids.append(id)
                if ids.count == 3 { break }
            }
            var progress = AgentMessage(type: "progress", id: ids[0])
            progress.elapsed = 1
            peerOut.write(progress.encodedLine())
            for id in ids.reversed() {
                peerOut.write(AgentMessage.failure(id, .operationFailed, "answer to \(id)").encodedLine())
            }
        }
        let ticks = Counter()
        async let one = client.request("perform", { $0.operation = .destroy(domain: "a") }, progress: { _ in ticks.increment() })
        async let two = client.request("perform") { $0.operation = .destroy(domain: "b") }
        async let three = client.request("observe")
        let answers = try await [one, two, three]
        await peer.value
        #expect(Set(answers.map { $0.message ?? "" }) == ["answer to 1", "answer to 2", "answer to 3"])
        for answer in answers { #expect(answer.message == "answer to \(answer.id!)") }
        await client.close()
        peerOut.close()
    }

    /// Requests in flight together when the agent goes each fail naming their own
    /// operation and domain, with ssh's one outcome.
    @Test func requestsInFlightWhenTheAgentGoesEachFail() async throws {
        let agent = try FakeAgent(FakeAgent.Script(reply: nil, exitAfterReply: 3))
        defer { agent.remove() }
        let driver = agent.driver(limits: HostilePeerTests.limits)
        async let first: Void = driver.perform(.destroy(domain: "www"))
        async let second: Void = driver.perform(.destroy(domain: "ldap"))
        var errors: [HostError] = []
        do { try await first } catch let error as HostError { errors.append(error) }
        do { try await second } catch let error as HostError { errors.append(error) }
        #expect(errors.map(\.domain) == ["www", "ldap"])
        #expect(errors.map(\.operation) == ["destroy", "destroy"])
        #expect(
            errors.map(\.message)
                == ["www", "ldap"].map {
                    "host cpt18: the connection dropped during destroy of \($0); the operation may or may not have happened: run `xenplan plan` to see"
                })
        await driver.disconnect()
    }

    /// An agent older than `concurrency` refuses the hello for it; the client says hello
    /// again without, and is served one request at a time.
    @Test func anOlderAgentIsAskedAgainWithoutConcurrency() async throws {
        let refusal = #"{"type":"error","id":1,"code":"bad-request","message":"unknown field 'concurrency' in a hello request"}"#
        let accepted = FakeAgent.validHello.replacingOccurrences(of: #""id":1"#, with: #""id":2"#)
        let state = String(decoding: FakeAgent.state(), as: UTF8.self).replacingOccurrences(of: #""id":2"#, with: #""id":3"#)
        let agent = try FakeAgent(
            FakeAgent.Script(hello: FakeAgent.line(refusal), reply: FakeAgent.line(accepted), followUp: Data(state.utf8)))
        defer { agent.remove() }
        let driver = agent.driver(limits: HostilePeerTests.limits)
        let observed = try await driver.observe()
        #expect(observed.guests.map(\.name) == ["ldap"])
        await driver.disconnect()
        #expect(try agent.receivedHello().contains(#""concurrency":4"#))
    }
}

/// Holds each operation of a simulated host at a gate named after it (`mem-set www`)
/// until the test opens it, and records the order in which they reached the host.
final class Gates: @unchecked Sendable {
    private let lock = NSLock()
    private var opened: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    private var arrivals: [String] = []
    private var watchers: [String: [CheckedContinuation<Void, Never>]] = [:]

    var started: [String] { lock.withLock { arrivals } }

    func pass(_ name: String) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let (go, woken): (Bool, [CheckedContinuation<Void, Never>]) = lock.withLock {
                arrivals.append(name)
                let woken = watchers.removeValue(forKey: name) ?? []
                if opened.contains(name) { return (true, woken) }
                waiting[name, default: []].append(c)
                return (false, woken)
            }
            for w in woken { w.resume() }
            if go { c.resume() }
        }
    }

    func open(_ name: String) {
        let list: [CheckedContinuation<Void, Never>] = lock.withLock {
            opened.insert(name)
            return waiting.removeValue(forKey: name) ?? []
        }
        for c in list { c.resume() }
    }

    func waitUntilStarted(_ name: String) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now: Bool = lock.withLock {
                if arrivals.contains(name) { return true }
                watchers[name, default: []].append(c)
                return false
            }
            if now { c.resume() }
        }
    }
}

/// The simulated host behind `Gates`.
struct GatedHost: HostDriver {
    let sim: SimDriver
    let gates: Gates
    var hostName: String { sim.hostName }
    func observe() async throws -> HostState { try await sim.observe() }
    func perform(_ operation: HostOperation) async throws {
        await gates.pass("\(operation.kind)\(operation.domainName.map { " \($0)" } ?? "")")
        try await sim.perform(operation)
    }
}
