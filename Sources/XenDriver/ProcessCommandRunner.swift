import FoundationEssentials
import Logging
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program by argument vector (`ChildProcess`, found on `PATH`): never a shell, so
/// no value can be read as shell syntax. stdout and stderr are drained together with
/// `poll` while stdin is written, so a child that fills one pipe never blocks on it.
public struct ProcessCommandRunner: CommandRunner {
    /// Extra environment; `LC_ALL=C` is always set so that numbers and messages have the
    /// form the parsers expect (`lvs` prints `5242880.00`, never `5242880,00`).
    public var environment: [String: String]
    /// How long a command stopped at its deadline gets to end on SIGTERM before its
    /// process group is sent SIGKILL: `xl` and `qemu-img` clean up on SIGTERM.
    var killGrace: Duration = .seconds(5)
    /// `--verbose`: every command, its exit status and how long it took (never its input
    /// or output, which can hold a configuration or a seed's keys).
    static let log = Logger(label: "xenplan.host")

    public init(environment: [String: String] = [:]) {
        self.environment = environment
    }

    public func run(_ argv: [String], stdin: String?, timeout: Duration) async throws -> CommandResult {
        try await run(argv, input: .text(stdin ?? ""), timeout: timeout)
    }

    public func run(_ argv: [String], stdinFile: String, timeout: Duration) async throws -> CommandResult {
        try await run(argv, input: .file(stdinFile), timeout: timeout)
    }

    /// What a child reads: text written to its stdin pipe, or a file it reads itself.
    enum Input: Sendable {
        case text(String)
        case file(String)
    }

    private func run(_ argv: [String], input: Input, timeout: Duration) async throws -> CommandResult {
        let env = environment, grace = killGrace
        // Spawning and waiting block a thread: keep that off Swift's cooperative pool.
        return try await withCheckedThrowingContinuation { continuation in
            DetachedThread.start {
                Self.run(argv, input: input, environment: env, timeout: timeout, grace: grace) {
                    continuation.resume(with: $0)
                }
            }
        }
    }

    /// Runs `argv` on this thread and hands the outcome to `done` as soon as it is known:
    /// a command stopped at its deadline is reported before it is reaped, since a process
    /// stuck in the kernel (a `dd` onto a device that stopped answering) ends only when
    /// its I/O does; this thread stays behind to reap it.
    static func run(
        _ argv: [String], input: Input, environment: [String: String], timeout: Duration,
        grace: Duration, done: (Result<CommandResult, any Error>) -> Void
    ) {
        let deadline = ContinuousClock.now + timeout
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        env["LC_ALL"] = "C"
        var text = ""
        var file: Int32?
        switch input {
        case let .text(t): text = t
        case let .file(path):
            let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
            guard fd >= 0 else {
                return done(.failure(SpawnError(program: "\(argv[0]) < \(path)", code: errno)))
            }
            file = fd
        }
        let child: ChildProcess
        do {
            child = try ChildProcess(argv, environment: env.map { "\($0.key)=\($0.value)" }.sorted(), searchPath: true, stdinFrom: file)
        } catch {
            if let file { close(file) }
            return done(.failure(error))
        }
        if let file { close(file) }
        let started = ContinuousClock.now
        let output = pump(input: Array(text.utf8), to: child, until: deadline)
        if case let (out, err)? = output, let status = child.waitForExit(until: deadline) {
            log.debug("\(CommandLineText.displayed(argv)): exit \(status) in \((ContinuousClock.now - started).shownElapsed)")
            // A tool's output ends up in messages (xl's complaint names the domain, LVM's
            // the volume): control characters are escaped here, where it enters, keeping
            // lines and tabs. What the parsers read (lvs' JSON) never holds a raw one.
            return done(
                .success(
                    CommandResult(
                        status: status,
                        stdout: TerminalText.escaped(String(decoding: out, as: UTF8.self), multiline: true),
                        stderr: TerminalText.escaped(String(decoding: err, as: UTF8.self), multiline: true))))
        }
        child.terminate()
        if child.waitForExit(until: ContinuousClock.now + grace) == nil { child.kill() }
        log.debug("\(CommandLineText.displayed(argv)): stopped at its deadline, \(timeout.shownSeconds)")
        done(.failure(CommandTimeout(argv: argv, timeout: timeout)))
        _ = child.waitForExit()
    }

    /// Writes `input` and reads both outputs until the child closes them; nil when
    /// `deadline` comes first. Closes our ends of the pipes either way. The writes are
    /// made with SIGPIPE suppressed: a child that exits before reading all of its stdin
    /// ends the writing with EPIPE, and its status tells what happened.
    private static func pump(input: [UInt8], to child: ChildProcess, until deadline: ContinuousClock.Instant) -> ([UInt8], [UInt8])? {
        let inFD = child.stdinFD, outFD = child.stdoutFD, errFD = child.stderrFD
        var out: [UInt8] = [], err: [UInt8] = []
        var written = 0
        var inOpen = true
        if input.isEmpty { close(inFD); inOpen = false } else { _ = fcntl(inFD, F_SETFL, O_NONBLOCK) }
        var open: [Int32: Bool] = [outFD: true, errFD: true]
        defer {
            if inOpen { close(inFD) }
            for (fd, isOpen) in open where isOpen { close(fd) }
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open.values.contains(true) || inOpen {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            var fds: [pollfd] = []
            for fd in [outFD, errFD] where open[fd] == true { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            if inOpen { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
            if poll(&fds, nfds_t(fds.count), milliseconds(left)) < 0 {
                if errno == EINTR { continue }
                break
            }
            for p in fds where p.revents != 0 {
                if p.fd == inFD {
                    let (n, code) = Sigpipe.suppressed {
                        input.withUnsafeBytes { (write(inFD, $0.baseAddress! + written, input.count - written), errno) }
                    }
                    if n > 0 { written += n }
                    if n < 0 && code != EAGAIN && code != EINTR || written == input.count {
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

    /// `left` as `poll`'s timeout: whole milliseconds, rounded up, at most a minute (the
    /// loop recomputes it).
    private static func milliseconds(_ left: Duration) -> Int32 {
        let (seconds, attoseconds) = left.components
        return Int32(min(60_000, seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000))
    }
}
