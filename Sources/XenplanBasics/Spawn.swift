import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process just started: its pid and our ends of its stdin, stdout and stderr.
public struct SpawnedChild: Sendable {
    public let pid: pid_t
    public let stdinFD: Int32
    public let stdoutFD: Int32
    public let stderrFD: Int32
}

/// The one place a child process is started: `posix_spawn` with an argument vector
/// (never a shell), pipes that no other child can inherit, and a clean signal state.
public enum Spawn {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var program: String
        public var code: Int32
        public var description: String { "cannot run \(program): \(String(cString: strerror(code)))" }
    }

    /// Several threads spawn at once (an `lvs` beside an `ip`, one `ssh` per host), and a
    /// child must not inherit another child's pipe ends, or that pipe never reaches
    /// end-of-file while the other child lives. So the pipes are close-on-exec (`dup2`
    /// onto 0–2 clears the flag for the child's own ends), and creating them, spawning
    /// and closing the child's ends happen under one process-wide lock: no other spawn
    /// can slip in between `pipe` and `fcntl` (`pipe2` is not exported to Swift).
    private static let lock = NSLock()

    /// Starts `argv`. `environment` nil keeps this process's; `searchPath` looks the
    /// program up in `PATH` (`posix_spawnp`).
    public static func start(_ argv: [String], environment: [String]? = nil, searchPath: Bool) throws(Failure) -> SpawnedChild {
        precondition(!argv.isEmpty, "an argument vector names its program")
        lock.lock()
        defer { lock.unlock() }
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard pipe(&inPipe) == 0, pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            let code = errno
            for fd in inPipe + outPipe + errPipe where fd >= 0 { close(fd) }
            throw Failure(program: argv[0], code: code)
        }
        for fd in inPipe + outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        // The child starts with no signal blocked and every signal at its default action,
        // whatever thread spawns it: Dispatch's workers block signals and xenplan ignores
        // SIGPIPE; a child inheriting that misses SIGCHLD (`xl create` then never reaps its
        // hotplug scripts and waits forever).
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

        var pid: pid_t = 0
        let rc = withCStrings(argv) { cargv -> Int32 in
            if let environment {
                return withCStrings(environment) { cenv in
                    searchPath ? posix_spawnp(&pid, argv[0], &actions, &attributes, cargv, cenv)
                               : posix_spawn(&pid, argv[0], &actions, &attributes, cargv, cenv)
                }
            }
            return searchPath ? posix_spawnp(&pid, argv[0], &actions, &attributes, cargv, environ)
                              : posix_spawn(&pid, argv[0], &actions, &attributes, cargv, environ)
        }
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        guard rc == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            throw Failure(program: argv[0], code: rc)
        }
        return SpawnedChild(pid: pid, stdinFD: inPipe[1], stdoutFD: outPipe[0], stderrFD: errPipe[0])
    }

    /// A `waitpid` status as a shell reports it: the exit code, or 128 + the signal.
    public static func exitCode(_ status: Int32) -> Int32 {
        (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// A NULL-terminated array of C strings, valid during `body`.
    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for p in pointers { free(p) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
