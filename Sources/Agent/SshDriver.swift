import FoundationEssentials
import HostModel
import Logging
import XenplanBasics

/// A host reached through `xenplan agent` over OpenSSH. One ssh connection serves every
/// request of a command; it is opened on first use with a hello that settles the
/// protocol version and asks the agent to serve several operations at once, and opened
/// again on the next request if it dropped. Concurrent calls share the connection: each
/// request is written as it comes, and its answer is matched to it by id.
public final class SshDriver: HostDriver, HostLocking {
    public let hostName: String
    public let target: SshTarget
    private let link: SshLink
    /// The deadlines and the reply limit, or why the environment's settings are unusable
    /// (reported by the first request, naming the host).
    private let limits: Result<AgentLimits, HostLimitsError>

    /// - Parameters:
    ///   - clientVersion: this build's version, told to the agent.
    ///   - sshExecutable: `ssh` (found on the PATH by default).
    ///   - limits: deadlines and the reply limit; by default the environment's
    ///     (`AgentLimits.fromEnvironment`).
    ///   - concurrency: operations the agent is asked to serve at once (the hello's
    ///     `concurrency`; 1 asks for nothing, and the agent serves requests in order).
    public init(
        hostName: String, target: SshTarget, clientVersion: String,
        sshExecutable: URL = SshTarget.sshExecutable(), limits: AgentLimits? = nil,
        concurrency: Int = AgentProtocol.defaultConcurrency
    ) {
        self.hostName = hostName
        self.target = target
        let limits: Result<AgentLimits, HostLimitsError> =
            limits.map { .success($0) }
            ?? Result { () throws(HostLimitsError) in
                try AgentLimits.fromEnvironment()
            }
        self.limits = limits
        link = SshLink(
            host: hostName, target: target, clientVersion: clientVersion, executable: sshExecutable,
            limits: (try? limits.get()) ?? AgentLimits(), concurrency: concurrency)
    }

    /// The host state, checked against `HostStateLimits` (its text escaped) and refused
    /// when it names another host: the planner matches states to hosts by name.
    public func observe() async throws -> HostState {
        let answer = try await call("observe", while: .observing, deadline: .observe)
        guard answer.type == "state", let state = answer.state else { throw failure(answer, operation: "observe") }
        let checked = try HostStateLimits.checked(state, host: hostName)
        guard checked.name == hostName else {
            throw HostError(
                host: hostName, operation: "observe",
                message: "the agent answered with the state of host \(shownValue(checked.name)); check the host's connection in the manifests")
        }
        return checked
    }

    public func perform(_ operation: HostOperation) async throws {
        let answer = try await call(
            "perform", while: .performing(operation.kind, operation.domainName),
            operation: operation
        ) {
            $0.operation = operation
        }
        guard answer.type == "ok" else { throw failure(answer, operation: operation.kind, domain: operation.domainName) }
    }

    public func acquireLock(for owner: LockRecord, replacing stale: LockRecord?) async throws {
        let answer = try await call("lock", while: .locking) {
            $0.owner = owner
            $0.replacing = stale
        }
        if answer.type == "ok" { return }
        if answer.code == .lockHeld, let holder = answer.holder { throw HostLockHeld(host: hostName, holder: holder) }
        throw failure(answer, operation: "lock")
    }

    public func releaseLock(of owner: LockRecord) async throws {
        let answer = try await call("unlock", while: .locking) { $0.owner = owner }
        guard answer.type == "ok" else { throw failure(answer, operation: "unlock") }
    }

    public func breakLock() async throws -> LockRecord? {
        let answer = try await call("break-lock", while: .locking)
        guard answer.type == "lock" else { throw failure(answer, operation: "unlock") }
        return answer.holder
    }

    public func lockHolder() async throws -> LockRecord? {
        let answer = try await call("lock-holder", while: .locking)
        guard answer.type == "lock" else { throw failure(answer, operation: "lock") }
        return answer.holder
    }

    /// Closes the connection; the agent exits.
    public func disconnect() async {
        await link.disconnect()
    }

    private func call(
        _ type: String, while phase: SshMessages.Phase,
        deadline setting: AgentLimits.Setting = .operation, operation: HostOperation? = nil,
        _ fill: @escaping @Sendable (inout AgentRequestBody) -> Void = { _ in }
    ) async throws -> AgentMessage {
        let limits: AgentLimits
        do {
            limits = try self.limits.get()
        } catch {
            throw HostError(host: hostName, operation: "connect", message: error.message)
        }
        let (client, process) = try await link.connection()
        let what = "\(hostName): \(type)\(operation.map { " \($0.kind)\($0.domainName.map { " \($0)" } ?? "")" } ?? "")"
        let started = ContinuousClock.now
        SshLink.log.debug("\(what) →")
        do {
            let deadline = operation.map { limits.deadline(for: $0) } ?? limits.deadline(setting)
            let answer = try await client.request(type, deadline: deadline, fill)
            SshLink.log.debug(
                "\(what) ← \(answer.type)\(answer.code.map { " \($0.rawValue)" } ?? "") in \((ContinuousClock.now - started).shownElapsed)")
            return answer
        } catch let error as AgentClientError {
            SshLink.log.debug("\(what): no answer after \((ContinuousClock.now - started).shownElapsed)")
            throw await SshLink.failure(
                error, process: process, host: hostName, target: target, phase: phase,
                limits: limits)
        }
    }

    /// The agent's refusal or the host's own failure. Only the message is taken from the
    /// answer: the host, operation and domain are the ones this request named.
    private func failure(_ answer: AgentMessage, operation: String, domain: String? = nil) -> HostError {
        if let error = answer.error {
            return HostError(host: hostName, operation: operation, domain: domain, message: error.message)
        }
        return HostError(
            host: hostName, operation: operation, domain: domain,
            message: "the agent refused the request: \(answer.message ?? "no reason given") (\(answer.code?.rawValue ?? answer.type))")
    }
}

/// The one connection of a driver: started on demand, shared by concurrent requests.
actor SshLink {
    let host: String
    let target: SshTarget
    let clientVersion: String
    let executable: URL
    let limits: AgentLimits
    /// Asked for in the hello when more than 1.
    let concurrency: Int
    private var current: (client: AgentClient, process: SshProcess)?
    private var opening: Task<(AgentClient, SshProcess), any Error>?

    init(host: String, target: SshTarget, clientVersion: String, executable: URL, limits: AgentLimits, concurrency: Int) {
        self.host = host
        self.concurrency = concurrency
        self.target = target
        self.clientVersion = clientVersion
        self.executable = executable
        self.limits = limits
    }

    /// The error for a request that got no answer. A session this side gave up on (a
    /// deadline, an over-long or foreign answer) has its ssh stopped at once; one whose
    /// output ended gets a moment to exit and say why on its stderr.
    static func failure(
        _ error: AgentClientError, process: SshProcess, host: String, target: SshTarget,
        phase: SshMessages.Phase, limits: AgentLimits
    ) async -> HostError {
        let ended = error == .closed || error == .cutShort
        if !ended { process.stop() }
        let (status, stderr) = await process.finish(timeout: ended ? .seconds(5) : .seconds(1))
        return SshMessages.failure(
            host: host, target: target, phase: phase, status: status, stderr: stderr,
            clientError: error, limits: limits)
    }

    func connection() async throws -> (AgentClient, SshProcess) {
        if let current, await !current.client.isClosed { return current }
        if let opening { return try await opening.value }
        let task = Task { try await open() }
        opening = task
        defer { opening = nil }
        let result = try await task.value
        current = result
        return result
    }

    func disconnect() {
        current?.process.close()
        current = nil
    }

    /// `--verbose`: the ssh command, the connection's set-up time, each request and its
    /// answer's time, and what the agent logs on its side (it is asked to with `trace`).
    static let log = Logger(label: "xenplan.ssh")

    private func open() async throws -> (AgentClient, SshProcess) {
        let process: SshProcess
        let verbose = Verbosity.isOn
        let started = ContinuousClock.now
        let host = self.host
        Self.log.debug("\(host): \(CommandLineText.displayed([executable.path] + target.arguments))")
        if let socket = target.controlPath {
            let shared = FileManager.default.fileExists(atPath: socket)
            Self.log.debug("\(host): \(shared ? "over the shared connection" : "opening a shared connection") \(socket)")
        }
        var echo: (@Sendable (String) -> Void)?
        if verbose {
            echo = { (line: String) in
                let message: Logger.Message = "\(host) says: \(line)"
                SshLink.log.debug(message)
            }
        }
        do {
            process = try SshProcess(
                executable: executable, arguments: target.arguments, maxAnswerBytes: limits.maxReplyBytes, echo: echo)
        } catch {
            throw HostError(
                host: host, operation: "ssh",
                message: "cannot run \(executable.path) (\(error.reason)); install openssh-client on this machine")
        }
        let client = AgentClient(reader: process.reader, writer: process.writer)
        var answer: AgentMessage
        do {
            var trace = verbose
            var concurrency = self.concurrency > 1 ? self.concurrency : nil
            answer = try await hello(client, trace: trace, concurrency: concurrency)
            // An agent older than `trace` or `concurrency` refuses the field: ask again without it.
            while let field = SshMessages.refusedOptionalField(answer) {
                if field == "trace", trace {
                    Self.log.debug("\(host): this agent cannot trace its work; asking without")
                    trace = false
                } else if field == "concurrency", concurrency != nil {
                    Self.log.debug("\(host): this agent serves one request at a time")
                    concurrency = nil
                } else {
                    break
                }
                answer = try await hello(client, trace: trace, concurrency: concurrency)
            }
        } catch let error as AgentClientError {
            throw await Self.failure(
                error, process: process, host: host, target: target, phase: .connecting,
                limits: limits)
        }
        if let problem = SshMessages.helloProblem(answer) {
            process.close()
            throw HostError(host: host, operation: "connect", message: problem)
        }
        Self.log.debug(
            "\(host): agent \(answer.xenplan ?? "?"), protocol \(answer.version.map(String.init) ?? "?"), \(answer.concurrency ?? 1) at once, connected in \((ContinuousClock.now - started).shownElapsed)"
        )
        return (client, process)
    }

    private func hello(_ client: AgentClient, trace: Bool, concurrency: Int?) async throws -> AgentMessage {
        let host = self.host, directories = target.imageDirectories, volumeGroups = target.volumeGroups
        let imagePaths = target.imagePaths
        let version = clientVersion
        return try await client.request("hello", deadline: limits.deadline(.connect)) {
            $0.versions = AgentProtocol.versions
            $0.client = version
            $0.host = host
            $0.imageDirectories = directories.isEmpty ? nil : directories
            $0.volumeGroups = volumeGroups.isEmpty ? nil : volumeGroups
            $0.imagePaths = imagePaths.isEmpty ? nil : imagePaths
            $0.trace = trace ? true : nil
            $0.concurrency = concurrency
        }
    }
}
