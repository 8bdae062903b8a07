import FoundationEssentials
import HostModel
import XenplanBasics

/// Why a request got no answer.
public enum AgentClientError: Error, Hashable, Sendable {
    /// The agent's output ended (the connection dropped, or the agent exited).
    case closed
    /// The other end wrote something that is not the protocol (an old or foreign program).
    case notTheProtocol(line: String)
    /// The output ended in the middle of an answer line.
    case cutShort
    /// An answer line longer than the reader's limit: the session ended there.
    case tooLong
    /// A JSON answer without the protocol's shape (a field missing or of the wrong type),
    /// with the decoder's reason.
    case badAnswer(String)
    /// No answer within the request's deadline: the session ended there.
    case timedOut(AgentLimits.Deadline)
}

/// The client end of the agent protocol over a pair of file descriptors: numbers each
/// request, writes it, and matches answers and progress events to it by id. Requests
/// may overlap (any number of callers at once); an agent serving several at once
/// answers each when it is done, in any order, and one serving one at a time in order.
public actor AgentClient {
    public typealias ProgressHandler = @Sendable (_ elapsedSeconds: Double) -> Void

    private let writer: LineWriter
    private var nextID: Int64 = 1
    private var pending: [Int64: CheckedContinuation<AgentMessage, any Error>] = [:]
    private var progress: [Int64: ProgressHandler] = [:]
    private var timers: [Int64: Task<Void, Never>] = [:]
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
    /// The answer's text is escaped for a terminal (`TerminalText`); its host state is the
    /// caller's to check. Past `deadline` the session ends with `timedOut`: an agent that
    /// misses one is not trusted with the others (one serving in order would hold up
    /// every later answer too).
    public func request(
        _ type: String, deadline: AgentLimits.Deadline? = nil,
        _ fill: @Sendable (inout AgentRequestBody) -> Void = { _ in },
        progress handler: ProgressHandler? = nil
    ) async throws -> AgentMessage {
        if let failure { throw failure }
        let id = nextID
        nextID += 1
        var body = AgentRequestBody(type: type, id: .number(id))
        fill(&body)
        let line = try body.encodedLine()
        if let handler { progress[id] = handler }
        if let deadline {
            timers[id] = Task { [weak self] in
                try? await Task.sleep(for: deadline.duration)
                guard !Task.isCancelled else { return }
                await self?.expire(id, deadline)
            }
        }
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
        if failure != nil { return }
        let data: Data
        switch event {
        case let .line(line): data = line
        case .oversized: end(.tooLong); return
        case .truncated: end(.cutShort); return
        }
        let decoded: AgentMessage
        do {
            decoded = try JSONDecoder().decode(AgentMessage.self, from: data)
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            if (try? JSONDecoder().decode(JSONValue.self, from: data)) == nil {
                // Not JSON at all: some other program's output.
                end(.notTheProtocol(line: String(decoding: data.prefix(200), as: UTF8.self)))
            } else {
                // JSON, but a number the decoder refuses without saying where.
                end(.badAnswer("a number beyond 64 bits, or a fraction where a whole number belongs"))
            }
            return
        } catch {
            end(.badAnswer(decodingProblem(error)))
            return
        }
        let message = decoded.escapedForTerminal
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

    private func expire(_ id: Int64, _ deadline: AgentLimits.Deadline) {
        guard pending[id] != nil else { return }
        end(.timedOut(deadline))
    }

    private func resolve(_ id: Int64, with result: Result<AgentMessage, AgentClientError>) {
        progress[id] = nil
        timers.removeValue(forKey: id)?.cancel()
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
        for (_, timer) in timers { timer.cancel() }
        timers.removeAll()
        for (_, continuation) in waiting { continuation.resume(throwing: failure!) }
        // A session that went wrong on this side's account is over: the agent's input is
        // closed (it finishes what it runs and exits), and the caller stops ssh.
        if error != .closed && error != .cutShort { writer.close() }
    }
}

extension AgentMessage {
    /// Every text the agent chose, escaped for a terminal: messages, names, a lock holder.
    /// The host state is checked separately (`HostStateLimits`), with its numbers.
    var escapedForTerminal: AgentMessage {
        var m = self
        let escape = { (text: String) in TerminalText.escaped(text) }
        m.xenplan = m.xenplan.map(escape)
        m.host = m.host.map(escape)
        m.capabilities = m.capabilities?.map(escape)
        m.message = m.message.map(escape)
        if var error = m.error {
            error.host = escape(error.host)
            error.operation = escape(error.operation)
            error.domain = error.domain.map(escape)
            error.message = TerminalText.escaped(error.message, multiline: true)
            m.error = error
        }
        if var holder = m.holder {
            holder.user = escape(holder.user)
            holder.machine = escape(holder.machine)
            holder.time = escape(holder.time)
            holder.command = escape(holder.command)
            holder.runID = escape(holder.runID)
            holder.bootID = holder.bootID.map(escape)
            m.holder = holder
        }
        return m
    }
}
