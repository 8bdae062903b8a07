import FoundationEssentials
import HostModel
import Logging
import XenplanBasics

/// The server end of the agent protocol: reads requests, validates each completely, and
/// serves them one at a time from a `HostDriver` made once the client has said hello.
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
        /// Requests held at once (the one being served included), and their bytes; beyond
        /// either, a request is answered `busy` at once.
        public var maxQueuedRequests: Int
        public var maxQueuedBytes: Int

        public init(
            host: String? = nil, xenplanVersion: String, progressInterval: Duration = .seconds(2),
            lockDirectory: URL = URL(fileURLWithPath: "/run/xenplan"), versions: [Int] = AgentProtocol.versions,
            policy: AgentPolicy = .open(), maxQueuedRequests: Int = AgentProtocol.maxQueuedRequests,
            maxQueuedBytes: Int = AgentProtocol.maxQueuedBytes
        ) {
            self.host = host
            self.xenplanVersion = xenplanVersion
            self.progressInterval = progressInterval
            self.lockDirectory = lockDirectory
            self.versions = versions
            self.policy = policy
            self.maxQueuedRequests = maxQueuedRequests
            self.maxQueuedBytes = maxQueuedBytes
        }
    }

    private let configuration: Configuration
    private let factory: DriverFactory
    private var driver: (any HostDriver)?
    private var locking: (any HostLocking)?
    private var session: AgentSession?

    public init(configuration: Configuration, factory: @escaping DriverFactory) {
        self.configuration = configuration
        self.factory = factory
    }

    /// Serves until `input` ends (or the output is gone). Input is read on while a request
    /// is served, into a bounded queue: a request that would pass its bounds is answered
    /// `busy` at once, and the agent carries on.
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
        for await event in queue.events {
            let answer = await answer(event, progress: emit)
            // Room is made before the answer goes out: a client that waits for it before
            // sending more must find the room there.
            queue.served(event)
            if let answer { emit(answer) }
            if output.isBroken { break }
        }
        reader.cancel()
        refusals.close()
    }

    /// Answers one input event through `emit` (progress events first, then the answer).
    public func handle(_ event: LineEvent, emit: @escaping @Sendable (AgentMessage) -> Void) async {
        if let answer = await answer(event, progress: emit) { emit(answer) }
    }

    /// The answer to one input event (none to a blank line), progress events meanwhile.
    private func answer(_ event: LineEvent, progress emit: @escaping @Sendable (AgentMessage) -> Void) async -> AgentMessage? {
        let line: Data
        switch event {
        case let .oversized(bytes):
            return .failure(nil, .tooLarge, "the request is \(bytes) bytes; at most \(AgentProtocol.maxLineBytes) are read")
        case let .truncated(bytes):
            return .failure(nil, .truncated, "the input ended inside a request (\(bytes) bytes with no newline)")
        case let .line(data):
            line = data
        }
        // Blank lines are no requests: people typing at an agent make them.
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
        let request: AgentRequest
        do {
            request = try AgentRequest.parse(line)
        } catch {
            Self.log.debug("refused a request: \(error.message)")
            return error.answer
        }
        if case .hello(_, _, _, _, _, _, true) = request.kind { Verbosity.turnOn() }
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
        if case let .hello(versions, client, host, directories, volumeGroups, imagePaths, _) = request.kind {
            return hello(
                id: id, versions: versions, client: client, host: host, imageDirectories: directories,
                volumeGroups: volumeGroups, imagePaths: imagePaths)
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
        imageDirectories: [String], volumeGroups: [String], imagePaths: [String]
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
