import FoundationEssentials
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process started by `Spawn`, its stdin, stdout and stderr on pipes, reaped by
/// this object alone. Every child xenplan starts is one: `ProcessCommandRunner`'s tools
/// and the ssh of an agent session.
///
/// Foundation's `Process` is not used: it learns of a child's exit from a socket the child
/// inherits, and `ssh` closes every inherited descriptor at start, after which Foundation
/// waits for it in a blocking call that stalls the reaping of every other child.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    /// Our ends: write to the child's stdin, read its stdout and stderr. The caller owns
    /// them and closes them.
    public let stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32
    /// Held while reaping and while signalling, so that a signal is never sent to a
    /// process group once its leader has been reaped: its id could name another group by then.
    private let exitStatus = Mutex<Int32?>(nil)

    /// Starts `argv` in a session of its own. `environment` nil keeps this process's;
    /// `searchPath` looks the program up in `PATH`; `stdinFrom`, an open descriptor the
    /// child reads as its stdin (the caller still owns and closes it).
    public init(_ argv: [String], environment: [String]? = nil, searchPath: Bool, stdinFrom: Int32? = nil) throws(SpawnError) {
        (pid, stdinFD, stdoutFD, stderrFD) = try Spawn.start(argv, environment: environment, searchPath: searchPath, stdinFrom: stdinFrom)
    }

    /// The exit status (or 128 + signal, as a shell reports it) once the child has ended.
    public func poll() -> Int32? {
        exitStatus.withLock { exitStatus in
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

    /// Waits, blocking this thread, until the child ends or `deadline` passes (nil: no
    /// deadline). Never call it on a thread of Swift's cooperative pool.
    public func waitForExit(until deadline: ContinuousClock.Instant? = nil) -> Int32? {
        var pause: UInt32 = 1_000
        while true {
            if let status = poll() { return status }
            if let deadline, ContinuousClock.now >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
    }

    /// SIGTERM to the child's process group: the child and what it started.
    public func terminate() { signalGroup(SIGTERM) }

    /// SIGKILL to the child's process group, for one that did not end when asked.
    public func kill() { signalGroup(SIGKILL) }

    private func signalGroup(_ signal: Int32) {
        exitStatus.withLock { exitStatus in
            guard exitStatus == nil else { return }
            #if canImport(Glibc)
                _ = Glibc.kill(-pid, signal)
            #else
                _ = Darwin.kill(-pid, signal)
            #endif
        }
    }
}
