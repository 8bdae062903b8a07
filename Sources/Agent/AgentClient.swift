import Foundation
import HostModel

/// Why a request got no answer.
public enum AgentClientError: Error, Hashable, Sendable {
    /// The agent's output ended (the connection dropped, or the agent exited).
    case closed
    /// The other end wrote something that is not the protocol (an old or foreign program).
    case notTheProtocol(line: String)
}

/// The client end of the agent protocol over a pair of file descriptors: numbers each
/// request, writes it, and matches answers and progress events to it by id. Requests
/// may overlap; the agent answers them in order.
public actor AgentClient {
    public typealias ProgressHandler = @Sendable (_ elapsedSeconds: Double) -> Void

    private let writer: LineWriter
    private var nextID: Int64 = 1
    private var pending: [Int64: CheckedContinuation<AgentMessage, any Error>] = [:]
    private var progress: [Int64: ProgressHandler] = [:]
    private var failure: AgentClientError?

    /// Starts reading `reader` at once.
    public init(reader: LineReader, writer: LineWriter) {
        self.writer = writer
        let events = reader.events
        Task { [weak self] in
            for await event in events {
                guard let self else { return }
                await self.receive(event)
            }
            await self?.end(.closed)
        }
    }

    /// True once the agent's output has ended or gone wrong: every request fails from then on.
    public var isClosed: Bool { failure != nil }

    /// Sends one request and waits for its answer (an `error` answer is returned, not thrown).
    public func request(_ type: String, _ fill: @Sendable (inout AgentRequestBody) -> Void = { _ in },
                        progress handler: ProgressHandler? = nil) async throws -> AgentMessage {
        if let failure { throw failure }
        let id = nextID
        nextID += 1
        var body = AgentRequestBody(type: type, id: .number(id))
        fill(&body)
        let line = try body.encodedLine()
        if let handler { progress[id] = handler }
        return try await withCheckedThrowingContinuation { continuation in
            pending[id] = continuation
            if !writer.write(line) {
                // The agent's input is gone; its output will end too, failing this request.
                if let failure { resolve(id, with: .failure(failure)) }
            }
        }
    }

    /// Closes the agent's input: it answers what it has and exits.
    public func close() {
        writer.close()
    }

    private func receive(_ event: LineEvent) {
        guard case let .line(data) = event else {
            end(.notTheProtocol(line: "(an over-long or cut line)"))
            return
        }
        guard let message = try? JSONDecoder().decode(AgentMessage.self, from: data) else {
            end(.notTheProtocol(line: String(decoding: data.prefix(200), as: UTF8.self)))
            return
        }
        guard case let .number(id)? = message.id else {
            // An answer without an id is a refusal of a line the agent could not read:
            // nothing this client sends, so the session can no longer be trusted.
            end(.notTheProtocol(line: message.message ?? String(decoding: data.prefix(200), as: UTF8.self)))
            return
        }
        if message.type == "progress" {
            if let elapsed = message.elapsed { progress[id]?(elapsed) }
            return
        }
        resolve(id, with: .success(message))
    }

    private func resolve(_ id: Int64, with result: Result<AgentMessage, AgentClientError>) {
        progress[id] = nil
        guard let continuation = pending.removeValue(forKey: id) else { return }
        switch result {
        case let .success(message): continuation.resume(returning: message)
        case let .failure(error): continuation.resume(throwing: error)
        }
    }

    private func end(_ error: AgentClientError) {
        if failure == nil { failure = error }
        let waiting = pending
        pending.removeAll()
        progress.removeAll()
        for (_, continuation) in waiting { continuation.resume(throwing: failure!) }
        if case .notTheProtocol = error { writer.close() }
    }
}
