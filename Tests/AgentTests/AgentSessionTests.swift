import Agent
import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics
import XenplanTestSupport

/// The client and the server over pipes, as ssh connects them.
struct AgentSessionTests {
    @Test func observePerformAndProgress() async throws {
        // The operation completes only once a progress event has reached the client: events
        // must flow while it runs, whatever the machine's load (at most a minute).
        let ticks = Counter()
        let agent = try AgentFixture(progressInterval: .milliseconds(50)) { sim in
            GatedDriver(inner: sim, until: { ticks.value >= 1 })
        }
        let (client, server) = agent.connectClient()
        let hello = try await client.request("hello") {
            $0.versions = [2]
            $0.host = "cpt18"
        }
        #expect(hello.type == "hello")
        #expect(hello.version == 2)
        #expect(hello.host == "cpt18")
        #expect(hello.capabilities?.contains("progress") == true)

        let state = try await client.request("observe")
        let nagios = try #require(state.state?.domain(named: "nagios"))
        #expect(nagios.vcpusOnline == 1)

        let done = try await client.request(
            "perform", { $0.operation = .setVcpus(domain: "nagios", count: 2) },
            progress: { _ in ticks.increment() })
        #expect(done.type == "ok")
        #expect(ticks.value >= 1, "progress events while the operation ran")
        let after = try await client.request("observe")
        #expect(after.state?.domain(named: "nagios")?.vcpusOnline == 2)

        // A failure on the host comes back as the host's own error.
        let failed = try await client.request("perform") { $0.operation = .setVcpus(domain: "nagios", count: 64) }
        #expect(failed.type == "error")
        #expect(failed.code == .operationFailed)
        #expect(failed.error?.host == "cpt18")
        #expect(failed.error?.operation == "vcpu-set")
        #expect(failed.error?.domain == "nagios")

        await client.close()
        await server.value
    }

    @Test func locksGoThroughTheHostsOwnLock() async throws {
        let agent = try AgentFixture()
        let (client, server) = agent.connectClient()
        _ = try await client.request("hello") {
            $0.versions = [2]; $0.host = "cpt18"
        }
        let me = LockRecord(user: "root", machine: "admin", pid: 42, time: "2026-12-01T10:00:00Z", command: "xenplan apply", runID: "a")
        let other = LockRecord(user: "ops", machine: "ci", pid: 7, time: "2026-12-01T10:01:00Z", command: "xenplan apply", runID: "b")
        #expect(try await client.request("lock") { $0.owner = me }.type == "ok")
        // The simulated host keeps its lock beside its state, where `xenplan unlock` finds it.
        #expect(FileManager.default.fileExists(atPath: agent.state.appendingPathComponent("cpt18.apply.lock").path))
        let held = try await client.request("lock") { $0.owner = other }
        #expect(held.code == .lockHeld)
        #expect(held.holder == me)
        #expect(try await client.request("lock-holder").holder == me)
        #expect(
            try await client.request("lock") {
                $0.owner = other; $0.replacing = me
            }.type == "ok")
        #expect(try await client.request("unlock") { $0.owner = me }.type == "ok")
        #expect(try await client.request("lock-holder").holder == other)
        #expect(try await client.request("break-lock").holder == other)
        #expect(try await client.request("lock-holder").holder == nil)
        await client.close()
        await server.value
    }

    @Test func helloHandsTheDeclaredStorageToTheDriver() async throws {
        let sessions = SessionLog()
        let server = AgentServer(configuration: .init(xenplanVersion: "0.0.test")) { session in
            sessions.append(session)
            throw HostError(host: session.host, operation: "connect", message: "recorded")
        }
        let line =
            #"{"type":"hello","id":1,"versions":[2],"client":"0.1.0","host":"cpt18","imageDirectories":["/srv/xen-images"],"volumeGroups":["san","vg18"]}"#
        await server.handle(.line(Data(line.utf8))) { _ in }
        #expect(
            sessions.all == [
                AgentSession(
                    host: "cpt18", imageDirectories: ["/srv/xen-images"], volumeGroups: ["san", "vg18"],
                    client: "0.1.0")
            ])
    }

    /// Only the declared images the policy lets the agent read reach the driver.
    @Test func helloImagePathsAreNarrowedByThePolicy() async throws {
        let sessions = SessionLog()
        let policy = try AgentPolicy.parse("imageDirectories: [/srv/xen-images]\nimageSources: [/srv/golden]\n", path: "P")
        let server = AgentServer(configuration: .init(xenplanVersion: "0.0.test", policy: policy)) { session in
            sessions.append(session)
            throw HostError(host: session.host, operation: "connect", message: "recorded")
        }
        let line =
            #"{"type":"hello","id":1,"versions":[2],"host":"cpt18","imagePaths":["/srv/golden/debian12.qcow2","/etc/shadow","/srv/xen-images/base.img","/var/lib/xenplan/images/a.img","/srv/golden/./b.img"]}"#
        await server.handle(.line(Data(line.utf8))) { _ in }
        #expect(sessions.all.map(\.imagePaths) == [["/srv/golden/debian12.qcow2", "/srv/xen-images/base.img"]])
    }

    @Test func fileLockForDriversWithoutOne() async throws {
        let directory = TemporaryDirectory.unusedURL("lock")
        defer { try? FileManager.default.removeItem(at: directory) }
        let lock = FileHostLock.make(host: "cpt18", directory: directory)
        let a = LockRecord(user: "root", machine: "m", pid: 1, time: "t", command: "c", runID: "a")
        let b = LockRecord(user: "root", machine: "m", pid: 2, time: "t", command: "c", runID: "b")
        try await lock.acquireLock(for: a, replacing: nil)
        await #expect(throws: HostLockHeld.self) { try await lock.acquireLock(for: b, replacing: nil) }
        try await lock.acquireLock(for: b, replacing: a)
        #expect(try await lock.lockHolder() == b)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("cpt18.apply.lock").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        try await lock.releaseLock(of: a)
        #expect(try await lock.lockHolder() == b)
        #expect(try await lock.breakLock() == b)
        #expect(try await lock.lockHolder() == nil)
    }

    @Test func clientFailsPendingRequestsWhenTheAgentGoes() async throws {
        let (client, peerInput, peerOutput) = AgentFixture.pipedClient()
        let peerOut = LineWriter(fd: peerOutput)
        let answer = Task { try await client.request("observe") }
        try await Task.sleep(for: .milliseconds(50))
        peerOut.close()
        await #expect(throws: AgentClientError.closed) { try await answer.value }
        #expect(await client.isClosed)
        close(peerInput)
    }
}

final class SessionLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [AgentSession] = []
    func append(_ s: AgentSession) { lock.withLock { list.append(s) } }
    var all: [AgentSession] { lock.withLock { list } }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// Holds each operation until `until` is true (polled), then performs it on `inner`.
struct GatedDriver: HostDriver {
    let inner: SimDriver
    let until: @Sendable () -> Bool
    var hostName: String { inner.hostName }

    func observe() async throws -> HostState { try await inner.observe() }

    func perform(_ operation: HostOperation) async throws {
        for _ in 0..<6000 where !until() { try await Task.sleep(for: .milliseconds(10)) }
        try await inner.perform(operation)
    }
}
