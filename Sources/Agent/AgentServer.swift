import FoundationEssentials
import HostModel
import Logging
import XenplanBasics

/// The server end of the agent protocol: reads requests, validates each completely, and
/// serves them from a `HostDriver` made once the client has said hello: one at a time,
/// or, when the hello asked for it, several at once (`RequestScheduler`).
/// A bad request gets an `error` answer and the server carries on; only the end of its
/// input ends it.
public actor AgentServer {
    public typealias DriverFactory = @Sendable (AgentSession) throws -> any HostDriver

    public struct Configuration: Sendable {
        /// The host this agent serves; nil to serve the one the hello names.
        public var host: String?
        /// This build's version, told to the client.
        public var xenplanVersion: String
        /// How often a `progress` event is sent while an operation runs.
        public var progressInterval: Duration
        /// Where the apply lock lives when the driver has none of its own.
        public var lockDirectory: URL
        public var versions: [Int]
        /// What the host allows, whatever the client asks.
        public var policy: AgentPolicy
        /// Requests held at once (those being served included), and their bytes; beyond
        /// either, a request is answered `busy` at once.
        public var maxQueuedRequests: Int
        public var maxQueuedBytes: Int
        /// Operations served at once for a client whose hello asks for more than one
        /// (`--concurrency`); a client may ask for fewer.
        public var maxConcurrency: Int

        public init(
            host: String? = nil, xenplanVersion: String, progressInterval: Duration = .seconds(2),
            lockDirectory: URL = URL(fileURLWithPath: "/run/xenplan"), versions: [Int] = AgentProtocol.versions,
            policy: AgentPolicy = .open(), maxQueuedRequests: Int = AgentProtocol.maxQueuedRequests,
            maxQueuedBytes: Int = AgentProtocol.maxQueuedBytes, maxConcurrency: Int = AgentProtocol.defaultConcurrency
        ) {
            self.host = host
            self.xenplanVersion = xenplanVersion
            self.progressInterval = progressInterval
            self.lockDirectory = lockDirectory
            self.versions = versions
            self.policy = policy
            self.maxQueuedRequests = maxQueuedRequests
            self.maxQueuedBytes = maxQueuedBytes
            self.maxConcurrency = min(max(1, maxConcurrency), AgentProtocol.maxConcurrency)
        }
    }

    private let configuration: Configuration
    private let factory: DriverFactory
    private var driver: (any HostDriver)?
    private var locking: (any HostLocking)?
    private var session: AgentSession?
    /// Set by a hello that asked for more than one request at a time.
    private var scheduler: RequestScheduler?

    public init(configuration: Configuration, factory: @escaping DriverFactory) {
        self.configuration = configuration
        self.factory = factory
    }

    /// Serves until `input` ends (or the output is gone). Input is read on while requests
    /// are served, into a bounded queue: a request that would pass its bounds is answered
    /// `busy` at once, and the agent carries on. A session whose hello asked for
    /// `concurrency` has its requests run as `RequestScheduler` allows, each answered as
    /// soon as it is done; any other is served one request at a time, in order. The end of
    /// input ends it once every request read has been answered.
    public func serve(input: LineReader, output: LineWriter) async {
        // A client that goes away does not end the agent in the middle of an operation:
        // LineWriter's writes then fail with EPIPE, and the operation runs to its end.
        let emit: @Sendable (AgentMessage) -> Void = { output.write($0.encodedLine()) }
        let queue = RequestQueue(maxRequests: configuration.maxQueuedRequests, maxBytes: configuration.maxQueuedBytes)
        let refusals = Outbox(output, capacity: configuration.maxQueuedRequests * 32)
        let reader = Task.detached {
            for await event in input.events {
                if let refusal = queue.offer(event) { refusals.send(refusal) }
            }
            queue.finish()
        }
        await withDiscardingTaskGroup { group in
            for await event in queue.events {
                let request: AgentRequest
                switch prepare(event) {
                case let .answered(answer):
                    queue.served(event)
                    if let answer { emit(answer) }
                    if output.isBroken { return }
                    continue
                case let .request(parsed):
                    request = parsed
                }
                guard let scheduler, let (keys, counted) = RequestScheduler.keys(of: request.kind) else {
                    let answer = await serve(request, emit: emit)
                    // Room is made before the answer goes out: a client that waits for it
                    // before sending more must find the room there.
                    queue.served(event)
                    emit(answer)
                    if output.isBroken { return }
                    continue
                }
                // Entered here, in the order read, so that requests on one resource keep it.
                let ticket = scheduler.enter(keys: keys, counted: counted)
                group.addTask {
                    await scheduler.start(ticket)
                    let answer = await self.serve(request, emit: emit)
                    scheduler.finish(ticket)
                    queue.served(event)
                    emit(answer)
                }
                if output.isBroken { return }
            }
        }
        reader.cancel()
        refusals.close()
    }

    /// Answers one input event through `emit` (progress events first, then the answer).
    public func handle(_ event: LineEvent, emit: @escaping @Sendable (AgentMessage) -> Void) async {
        switch prepare(event) {
        case let .answered(answer):
            if let answer { emit(answer) }
        case let .request(request):
            emit(await serve(request, emit: emit))
        }
    }

    /// An input event parsed: a request to serve, or the answer it already has (none to a
    /// blank line).
    private enum Prepared {
        case answered(AgentMessage?)
        case request(AgentRequest)
    }

    private func prepare(_ event: LineEvent) -> Prepared {
        let line: Data
        switch event {
        case let .oversized(bytes):
            return .answered(.failure(nil, .tooLarge, "the request is \(bytes) bytes; at most \(AgentProtocol.maxLineBytes) are read"))
        case let .truncated(bytes):
            return .answered(.failure(nil, .truncated, "the input ended inside a request (\(bytes) bytes with no newline)"))
        case let .line(data):
            line = data
        }
        // Blank lines are no requests: people typing at an agent make them.
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return .answered(nil) }
        do {
            let request = try AgentRequest.parse(line)
            if case .hello(_, _, _, _, _, _, true, _) = request.kind { Verbosity.turnOn() }
            return .request(request)
        } catch {
            Self.log.debug("refused a request: \(error.message)")
            return .answered(error.answer)
        }
    }

    /// The answer to one request, progress events meanwhile; logged with its time.
    private func serve(_ request: AgentRequest, emit: @escaping @Sendable (AgentMessage) -> Void) async -> AgentMessage {
        let started = ContinuousClock.now
        let answer = await answer(request, emit: emit)
        Self.log.debug(
            "\(request.kind.shown) → \(answer.type)\(answer.code.map { " \($0.rawValue)" } ?? "") in \((ContinuousClock.now - started).shownElapsed)")
        return answer
    }

    /// `--verbose` or a client's `trace`: each request served, its answer and its time,
    /// on standard error (which ssh carries back to the client).
    static let log = Logger(label: "xenplan.agent")

    private func answer(_ request: AgentRequest, emit: @escaping @Sendable (AgentMessage) -> Void) async -> AgentMessage {
        let id = request.id
        if case let .hello(versions, client, host, directories, volumeGroups, imagePaths, _, concurrency) = request.kind {
            return hello(
                id: id, versions: versions, client: client, host: host, imageDirectories: directories,
                volumeGroups: volumeGroups, imagePaths: imagePaths, concurrency: concurrency)
        }
        guard let driver, let locking, let session else {
            return .failure(id, .outOfOrder, "the first request must be a hello")
        }
        switch request.kind {
        case .hello:
            return .failure(id, .outOfOrder, "hello was already received")
        case .observe:
            do {
                var message = AgentMessage(type: "state", id: id)
                message.state = try await driver.observe()
                return message
            } catch {
                return hostFailure(id, .observeFailed, error, operation: "observe", domain: nil)
            }
        case let .perform(operation):
            do {
                try AgentValidation.check(operation, session: session)
            } catch {
                return .failure(id, .invalidField, error.description)
            }
            do {
                try await configuration.policy.check(operation, session: session) { try await driver.observe() }
            } catch let refusal as PolicyRefusal {
                return policyFailure(id, refusal, operation: operation)
            } catch {
                return hostFailure(id, .operationFailed, error, operation: operation.kind, domain: operation.domainName)
            }
            return await perform(operation, id: id, on: driver, emit: emit)
        case let .lock(owner, replacing):
            do {
                try await locking.acquireLock(for: owner, replacing: replacing)
                return .ok(id)
            } catch let held as HostLockHeld {
                var message = AgentMessage.failure(
                    id, .lockHeld, "host \(held.host) is locked by \(held.holder.user)@\(held.holder.machine) pid \(held.holder.pid)")
                message.holder = held.holder
                return message
            } catch {
                return hostFailure(id, .lockFailed, error, operation: "lock", domain: nil)
            }
        case let .unlock(owner):
            do {
                try await locking.releaseLock(of: owner)
                return .ok(id)
            } catch {
                return hostFailure(id, .lockFailed, error, operation: "unlock", domain: nil)
            }
        case .breakLock, .lockHolder:
            do {
                var message = AgentMessage(type: "lock", id: id)
                if case .breakLock = request.kind {
                    message.holder = try await locking.breakLock()
                } else {
                    message.holder = try await locking.lockHolder()
                }
                return message
            } catch {
                return hostFailure(id, .lockFailed, error, operation: "lock", domain: nil)
            }
        }
    }

    private func hello(
        id: RequestID?, versions: [Int], client: String?, host: String?,
        imageDirectories: [String], volumeGroups: [String], imagePaths: [String], concurrency: Int?
    ) -> AgentMessage {
        guard driver == nil else { return .failure(id, .outOfOrder, "hello was already received") }
        guard let version = Set(versions).intersection(configuration.versions).max() else {
            var message = AgentMessage.failure(
                id, .unsupportedVersion,
                "this agent speaks protocol \(Self.list(configuration.versions)), the client \(Self.list(versions))")
            message.versions = configuration.versions
            message.xenplan = configuration.xenplanVersion
            return message
        }
        if let pinned = configuration.host, let host, host != pinned {
            return .failure(id, .wrongHost, "this agent serves host \(pinned), not \(host)")
        }
        guard let name = configuration.host ?? host else {
            return .failure(id, .badRequest, "the hello must name the host ('host'): this agent was started without --host")
        }
        do {
            try configuration.policy.checkHello(imageDirectories: imageDirectories, volumeGroups: volumeGroups)
        } catch {
            return .failure(id, .policyDenied, error.message)
        }
        do {
            // An image the policy does not let the agent read is not looked at either: it
            // shows as absent, and copying it is refused naming the rule.
            let session = AgentSession(
                host: name, imageDirectories: imageDirectories, volumeGroups: volumeGroups,
                imagePaths: imagePaths.filter(configuration.policy.mayReadImage), client: client)
            let driver = try factory(session)
            self.driver = driver
            self.session = session
            locking = driver as? any HostLocking ?? FileHostLock.make(host: name, directory: configuration.lockDirectory)
        } catch let error as HostError {
            return .failure(id, .hostUnavailable, error.message)
        } catch {
            return .failure(id, .hostUnavailable, "\(error)")
        }
        var message = AgentMessage(type: "hello", id: id)
        message.version = version
        message.versions = configuration.versions
        message.xenplan = configuration.xenplanVersion
        message.host = name
        message.capabilities = AgentProtocol.capabilities
        if let concurrency {
            // The client may ask for fewer than the host allows, never more.
            let granted = min(concurrency, configuration.maxConcurrency)
            message.concurrency = granted
            if granted > 1 { scheduler = RequestScheduler(limit: granted) }
        }
        return message
    }

    /// Runs the operation while a ticker sends `progress` events; the ticker is stopped
    /// and drained before the answer, so no event follows it.
    private func perform(
        _ operation: HostOperation, id: RequestID?, on driver: any HostDriver,
        emit: @escaping @Sendable (AgentMessage) -> Void
    ) async -> AgentMessage {
        let clock = ContinuousClock()
        let start = clock.now
        let interval = configuration.progressInterval
        let ticker = Task {
            while true {
                do { try await Task.sleep(for: interval) } catch { return }
                if Task.isCancelled { return }
                var event = AgentMessage(type: "progress", id: id)
                let elapsed = clock.now - start
                event.elapsed = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                emit(event)
            }
        }
        let result: AgentMessage
        do {
            try await driver.perform(operation)
            result = .ok(id)
        } catch {
            result = hostFailure(id, .operationFailed, error, operation: operation.kind, domain: operation.domainName)
        }
        ticker.cancel()
        await ticker.value
        return result
    }

    private func hostFailure(
        _ id: RequestID?, _ code: ProtocolErrorCode, _ error: any Error, operation: String,
        domain: String?
    ) -> AgentMessage {
        let hostError =
            error as? HostError
            ?? HostError(
                host: driver?.hostName ?? configuration.host ?? "?", operation: operation, domain: domain,
                message: "\(error)")
        var message = AgentMessage.failure(id, code, hostError.message)
        message.error = WireHostError(hostError)
        return message
    }

    private func policyFailure(_ id: RequestID?, _ refusal: PolicyRefusal, operation: HostOperation) -> AgentMessage {
        var message = AgentMessage.failure(id, .policyDenied, refusal.message)
        message.error = WireHostError(
            HostError(
                host: driver?.hostName ?? configuration.host ?? "?", operation: operation.kind,
                domain: operation.domainName, message: refusal.message))
        return message
    }

    private static func list(_ versions: [Int]) -> String {
        versions.map(String.init).joined(separator: ", ")
    }
}
