import Foundation
import HostModel

/// A host reached through `xenplan agent` over OpenSSH. One ssh connection serves every
/// request of a command; it is opened on first use with a hello that settles the
/// protocol version, and opened again on the next request if it dropped.
public final class SshDriver: HostDriver, HostLocking {
    public let hostName: String
    public let target: SshTarget
    private let link: SshLink

    /// - Parameters:
    ///   - clientVersion: this build's version, told to the agent.
    ///   - sshExecutable: `ssh` (found on the PATH by default).
    public init(hostName: String, target: SshTarget, clientVersion: String,
                sshExecutable: URL = SshTarget.sshExecutable()) {
        self.hostName = hostName
        self.target = target
        link = SshLink(host: hostName, target: target, clientVersion: clientVersion, executable: sshExecutable)
    }

    public func observe() async throws -> HostState {
        let answer = try await call("observe", while: .observing)
        guard answer.type == "state", let state = answer.state else { throw failure(answer, operation: "observe") }
        return state
    }

    public func perform(_ operation: HostOperation) async throws {
        let answer = try await call("perform", while: .performing(operation.kind, operation.domainName)) {
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

    /// The pid of the running `ssh`, if connected (for tests that cut the connection).
    public func sshProcessID() async -> Int32? { await link.processID }

    private func call(_ type: String, while phase: SshMessages.Phase,
                      _ fill: @escaping @Sendable (inout AgentRequestBody) -> Void = { _ in }) async throws -> AgentMessage {
        let (client, process) = try await link.connection()
        do {
            return try await client.request(type, fill)
        } catch let error as AgentClientError {
            let (status, stderr) = await process.finish()
            throw SshMessages.failure(host: hostName, target: target, phase: phase, status: status, stderr: stderr,
                                      clientError: error)
        }
    }

    private func failure(_ answer: AgentMessage, operation: String, domain: String? = nil) -> HostError {
        if let error = answer.error {
            var hostError = error.hostError
            hostError.host = hostName
            return hostError
        }
        return HostError(host: hostName, operation: operation, domain: domain,
                         message: "the agent refused the request: \(answer.message ?? "no reason given") (\(answer.code?.rawValue ?? answer.type))")
    }
}

/// The one connection of a driver: started on demand, shared by concurrent requests.
actor SshLink {
    let host: String
    let target: SshTarget
    let clientVersion: String
    let executable: URL
    private var current: (client: AgentClient, process: SshProcess)?
    private var opening: Task<(AgentClient, SshProcess), any Error>?

    init(host: String, target: SshTarget, clientVersion: String, executable: URL) {
        self.host = host
        self.target = target
        self.clientVersion = clientVersion
        self.executable = executable
    }

    var processID: Int32? { current?.process.pid }

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

    private func open() async throws -> (AgentClient, SshProcess) {
        let process: SshProcess
        do {
            process = try SshProcess(executable: executable, arguments: target.arguments)
        } catch {
            throw HostError(host: host, operation: "ssh",
                            message: "cannot run \(executable.path) (\(error)); install openssh-client on this machine")
        }
        let client = AgentClient(reader: process.reader, writer: process.writer)
        let answer: AgentMessage
        do {
            let host = self.host, directories = target.imageDirectories, volumeGroups = target.volumeGroups
            let version = clientVersion
            answer = try await client.request("hello") {
                $0.versions = AgentProtocol.versions
                $0.client = version
                $0.host = host
                $0.imageDirectories = directories.isEmpty ? nil : directories
                $0.volumeGroups = volumeGroups.isEmpty ? nil : volumeGroups
            }
        } catch let error as AgentClientError {
            let (status, stderr) = await process.finish()
            throw SshMessages.failure(host: host, target: target, phase: .connecting, status: status, stderr: stderr,
                                      clientError: error)
        }
        if let problem = SshMessages.helloProblem(answer) {
            process.close()
            throw HostError(host: host, operation: "connect", message: problem)
        }
        return (client, process)
    }
}
