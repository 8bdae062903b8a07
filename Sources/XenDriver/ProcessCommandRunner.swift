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

    /// Serialises pipe creation and spawning across threads (see `spawn`).
    private static let spawnLock = NSLock()

    static func spawn(_ argv: [String], stdin: String?, environment: [String: String]) throws -> CommandResult {
        precondition(!argv.isEmpty, "an argument vector names its program")
        _ = ignoreSigpipe
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        // Several threads spawn at once (one lvs and one ip per observation), and a child
        // must not inherit another child's pipe ends, or that pipe never reaches
        // end-of-file while the other child lives. So the pipes are close-on-exec (dup2
        // onto 0-2 clears the flag for the child's own ends), and creating them, spawning
        // and closing the child's ends happen under one lock: no other spawn can slip in
        // between `pipe` and `fcntl`.
        spawnLock.lock()
        var locked = true
        defer { if locked { spawnLock.unlock() } }
        guard pipe(&inPipe) == 0, pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            throw SpawnError(program: argv[0], errno: errno)
        }
        for fd in inPipe + outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in inPipe + outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }

        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        env["LC_ALL"] = "C"
        let envStrings = env.map { "\($0.key)=\($0.value)" }.sorted()

        // The child starts with no signal blocked and every signal at its default action.
        // xenplan spawns from threads that block signals (Dispatch's workers do) and ignores
        // SIGPIPE, SIGINT and SIGTERM itself; a child inheriting that mask misses SIGCHLD:
        // `xl create` then never reaps its hotplug scripts and waits forever.
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
        let rc = withCStrings(argv) { cargv in
            withCStrings(envStrings) { cenv in posix_spawnp(&pid, argv[0], &actions, &attributes, cargv, cenv) }
        }
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        spawnLock.unlock()
        locked = false
        if rc != 0 {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            throw SpawnError(program: argv[0], errno: rc)
        }

        let (out, err) = pump(input: Array((stdin ?? "").utf8), inFD: inPipe[1], outFD: outPipe[0], errFD: errPipe[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // Exit code, or 128 + signal as a shell would report it.
        let code: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return CommandResult(status: code, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
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

/// A NULL-terminated array of C strings, valid during `body`.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
