import Foundation
import XenplanBasics

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program by argument vector with `posix_spawnp`: never a shell, so no value can
/// be read as shell syntax. stdout and stderr are drained together with `poll` while
/// stdin is written, so a child that fills one pipe never blocks on it.
public struct ProcessCommandRunner: CommandRunner {
    /// Extra environment; `LC_ALL=C` is always set so that numbers and messages have the
    /// form the parsers expect (`lvs` prints `5242880.00`, never `5242880,00`).
    public var environment: [String: String]

    public init(environment: [String: String] = [:]) {
        self.environment = environment
    }

    public func run(_ argv: [String], stdin: String?) async throws -> CommandResult {
        let env = environment
        // Spawning and waiting block a thread: keep that off Swift's cooperative pool.
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try Self.spawn(argv, stdin: stdin, environment: env) })
            }
        }
    }

    /// A program that cannot be started (not installed, not executable).
    public struct SpawnError: Error, CustomStringConvertible {
        public var program: String
        public var errno: Int32
        public var description: String { "cannot run \(program): \(String(cString: strerror(errno)))" }
    }

    /// A child that exits before reading its stdin must not kill xenplan with SIGPIPE:
    /// the write fails with EPIPE instead, and the child's status tells what happened.
    private static let ignoreSigpipe: Void = { signal(SIGPIPE, SIG_IGN) }()

    static func spawn(_ argv: [String], stdin: String?, environment: [String: String]) throws -> CommandResult {
        _ = ignoreSigpipe
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        env["LC_ALL"] = "C"
        let child: SpawnedChild
        do {
            child = try Spawn.start(argv, environment: env.map { "\($0.key)=\($0.value)" }.sorted(), searchPath: true)
        } catch {
            throw SpawnError(program: error.program, errno: error.code)
        }
        let (out, err) = pump(input: Array((stdin ?? "").utf8), inFD: child.stdinFD, outFD: child.stdoutFD, errFD: child.stderrFD)
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
        // A tool's output ends up in messages (xl's complaint names the domain, LVM's the
        // volume): control characters are escaped here, where it enters, keeping lines and
        // tabs. What the parsers read (lvs' JSON) never holds a raw control character.
        return CommandResult(status: Spawn.exitCode(status),
                             stdout: TerminalText.escaped(String(decoding: out, as: UTF8.self), multiline: true),
                             stderr: TerminalText.escaped(String(decoding: err, as: UTF8.self), multiline: true))
    }

    /// Writes `input` and reads both outputs until the child closes them.
    private static func pump(input: [UInt8], inFD: Int32, outFD: Int32, errFD: Int32) -> ([UInt8], [UInt8]) {
        var out: [UInt8] = [], err: [UInt8] = []
        var written = 0
        var inOpen = true
        if input.isEmpty { close(inFD); inOpen = false } else { _ = fcntl(inFD, F_SETFL, O_NONBLOCK) }
        var open: [Int32: Bool] = [outFD: true, errFD: true]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open.values.contains(true) || inOpen {
            var fds: [pollfd] = []
            for fd in [outFD, errFD] where open[fd] == true { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            if inOpen { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for p in fds where p.revents != 0 {
                if p.fd == inFD {
                    let n = input.withUnsafeBytes { write(inFD, $0.baseAddress! + written, input.count - written) }
                    if n > 0 { written += n }
                    if n < 0 && errno != EAGAIN && errno != EINTR || written == input.count {
                        close(inFD); inOpen = false
                    }
                    continue
                }
                let n = buffer.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    if p.fd == outFD { out += buffer[0..<n] } else { err += buffer[0..<n] }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(p.fd); open[p.fd] = false
                }
            }
        }
        return (out, err)
    }
}
