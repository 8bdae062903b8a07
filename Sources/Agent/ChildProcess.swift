import Foundation
import XenplanBasics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A long-running child started with `posix_spawn` (an argument vector, never a shell),
/// its stdin, stdout and stderr on pipes, reaped by this code alone.
///
/// Foundation's `Process` is not used: it learns of a child's exit from a socket the child
/// inherits, and `ssh` closes every inherited descriptor at start, after which Foundation
/// waits for it in a blocking call that stalls the reaping of every other child.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    /// Our ends: write to the child's stdin, read its stdout and stderr.
    let stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32
    private let lock = NSLock()
    private var exitStatus: Int32?

    struct SpawnError: Error, CustomStringConvertible {
        var program: String
        var code: Int32
        var description: String { "\(String(cString: strerror(code)))" }
    }

    init(executable: String, arguments: [String]) throws {
        let child: SpawnedChild
        do {
            child = try Spawn.start([executable] + arguments, searchPath: false)
        } catch {
            throw SpawnError(program: executable, code: error.code)
        }
        pid = child.pid
        stdinFD = child.stdinFD
        stdoutFD = child.stdoutFD
        stderrFD = child.stderrFD
    }

    /// The exit status (or 128 + signal, as a shell reports it) once the child has ended.
    func poll() -> Int32? {
        lock.withLock {
            if let exitStatus { return exitStatus }
            var status: Int32 = 0
            var rc: pid_t
            repeat { rc = waitpid(pid, &status, WNOHANG) } while rc < 0 && errno == EINTR
            guard rc == pid else { return nil }
            let code = Spawn.exitCode(status)
            exitStatus = code
            return code
        }
    }

    func terminate() {
        if poll() == nil { _ = signalChild(SIGTERM) }
    }

    /// SIGKILL, for a child that did not end when asked.
    func kill() {
        if poll() == nil { _ = signalChild(SIGKILL) }
    }

    private func signalChild(_ signal: Int32) -> Int32 {
        #if canImport(Glibc)
        return Glibc.kill(pid, signal)
        #else
        return Darwin.kill(pid, signal)
        #endif
    }
}
