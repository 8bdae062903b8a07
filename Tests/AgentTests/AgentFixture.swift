import Agent
import Foundation
import HostModel
import SimDriver
import XenplanTestSupport

/// An agent serving copies of the repository's committed simulated hosts, driven in
/// process: either line by line (`send`) or over pipes with the real client.
final class AgentFixture: @unchecked Sendable {
    let state: URL
    let server: AgentServer

    /// `wrap` lets a test put its own driver in front of the simulated host.
    init(
        host: String? = nil, progressInterval: Duration = .seconds(2),
        wrap: @escaping @Sendable (SimDriver) -> any HostDriver = { $0 }
    ) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        state = try TemporaryDirectory.create("agent")
        let seeds = root.appendingPathComponent("state")
        for name in try FileManager.default.contentsOfDirectory(atPath: seeds.path) where name.hasSuffix(".sim.json") {
            try FileManager.default.copyItem(at: seeds.appendingPathComponent(name), to: state.appendingPathComponent(name))
        }
        let directory = state
        server = AgentServer(
            configuration: .init(
                host: host, xenplanVersion: "0.0.test", progressInterval: progressInterval,
                lockDirectory: state.appendingPathComponent("run")),
            factory: { session in
                guard SimStore(directory: directory).hostNames().contains(session.host) else {
                    throw HostError(host: session.host, operation: "connect", message: "no simulated host \(session.host)")
                }
                return wrap(SimDriver(stateDirectory: directory, host: session.host, speed: 1))
            })
    }

    deinit { try? FileManager.default.removeItem(at: state) }

    /// Feeds one input event; returns every message written in answer.
    func send(_ event: LineEvent) async -> [AgentMessage] {
        let box = Box()
        await server.handle(event) { box.append($0) }
        return box.messages
    }

    func send(_ line: String) async -> [AgentMessage] { await send(.line(Data(line.utf8))) }

    static let hello = #"{"type":"hello","id":0,"versions":[2],"host":"cpt18"}"#

    /// A client connected to this agent over two pipes, as ssh would connect them.
    func connectClient() -> (AgentClient, Task<Void, Never>) {
        var toServer: [Int32] = [0, 0], toClient: [Int32] = [0, 0]
        _ = pipe(&toServer)
        _ = pipe(&toClient)
        let serverInput = LineReader(fd: toServer[0], limit: AgentProtocol.maxLineBytes, closing: true)
        let serverOutput = LineWriter(fd: toClient[1])
        let server = self.server
        let task = Task {
            await server.serve(input: serverInput, output: serverOutput)
            serverOutput.close()
        }
        let client = AgentClient(
            reader: LineReader(fd: toClient[0], limit: 1 << 28, closing: true),
            writer: LineWriter(fd: toServer[1]))
        return (client, task)
    }

    /// A client on two pipes, and the other end's descriptors: what the client writes
    /// (`peerInput`) and where its answers are to be written (`peerOutput`).
    static func pipedClient() -> (client: AgentClient, peerInput: Int32, peerOutput: Int32) {
        var toServer: [Int32] = [0, 0], toClient: [Int32] = [0, 0]
        _ = pipe(&toServer)
        _ = pipe(&toClient)
        let client = AgentClient(
            reader: LineReader(fd: toClient[0], limit: 1 << 20, closing: true),
            writer: LineWriter(fd: toServer[1]))
        return (client, toServer[0], toClient[1])
    }

    private final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [AgentMessage] = []
        func append(_ m: AgentMessage) { lock.withLock { list.append(m) } }
        var messages: [AgentMessage] { lock.withLock { list } }
    }
}
