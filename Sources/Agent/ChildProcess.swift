import Foundation
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
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        // Close-on-exec: no other child (an `xl`, the other host's ssh) may inherit these,
        // or this child would never see the end of its input.
        guard Self.cloexecPipe(&inPipe) else { throw SpawnError(program: executable, code: errno) }
        guard Self.cloexecPipe(&outPipe) else {
            Self.closeAll(inPipe)
            throw SpawnError(program: executable, code: errno)
        }
        guard Self.cloexecPipe(&errPipe) else {
            Self.closeAll(inPipe + outPipe)
            throw SpawnError(program: executable, code: errno)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        // The child starts with no signal blocked or ignored, whatever thread spawns it
        // (Dispatch's workers block signals; xenplan ignores SIGPIPE).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        sigdelset(&allSignals, SIGKILL)
        sigdelset(&allSignals, SIGSTOP)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = [executable] + arguments
        var child: pid_t = 0
        let rc = Self.withCStrings(argv) { cargv in
            posix_spawn(&child, executable, &actions, &attributes, cargv, environ)
        }
        close(inPipe[0])
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            Self.closeAll([inPipe[1], outPipe[0], errPipe[0]])
            throw SpawnError(program: executable, code: rc)
        }
        pid = child
        stdinFD = inPipe[1]
        stdoutFD = outPipe[0]
        stderrFD = errPipe[0]
    }

    /// The exit status (or 128 + signal, as a shell reports it) once the child has ended.
    func poll() -> Int32? {
        lock.withLock {
            if let exitStatus { return exitStatus }
            var status: Int32 = 0
            var rc: pid_t
            repeat { rc = waitpid(pid, &status, WNOHANG) } while rc < 0 && errno == EINTR
            guard rc == pid else { return nil }
            let code: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            exitStatus = code
            return code
        }
    }

    func terminate() {
        if poll() == nil { kill(pid, SIGTERM) }
    }

    /// `pipe2(O_CLOEXEC)`, which Glibc's module does not export.
    private static func cloexecPipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private static func closeAll(_ fds: [Int32]) {
        for fd in fds { close(fd) }
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for p in pointers { free(p) } }
        return body(pointers)
    }
}
