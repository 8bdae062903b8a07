import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a child process is started, for `ChildProcess` alone: `posix_spawn` with an
/// argument vector (never a shell), pipes that no other child can inherit, a clean signal
/// state, and a session of its own.
enum Spawn {
    /// Several threads spawn at once (an `lvs` beside an `ip`, one `ssh` per host), and a
    /// child must not inherit another child's pipe ends, or that pipe never reaches
    /// end-of-file while the other child lives. So the pipes are close-on-exec (`dup2`
    /// onto 0–2 clears the flag for the child's own ends), and creating them, spawning
    /// and closing the child's ends happen under one process-wide lock: no other spawn
    /// can slip in between `pipe` and `fcntl` (`pipe2` is not exported to Swift).
    private static let lock = Lock()

    /// Starts `argv`; returns its pid and our ends of its stdin, stdout and stderr.
    /// `environment` nil keeps this process's; `searchPath` looks the program up in
    /// `PATH` (`posix_spawnp`). With `stdinFrom`, the child reads that descriptor instead
    /// of the stdin pipe (whose end we get is then only to be closed).
    static func start(
        _ argv: [String], environment: [String]?, searchPath: Bool, stdinFrom: Int32? = nil
    ) throws(SpawnError)
        -> (pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32)
    {
        precondition(!argv.isEmpty, "an argument vector names its program")
        lock.lock()
        defer { lock.unlock() }
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard pipe(&inPipe) == 0, pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            let code = errno
            for fd in inPipe + outPipe + errPipe where fd >= 0 { close(fd) }
            throw SpawnError(program: argv[0], code: code)
        }
        for fd in inPipe + outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinFrom ?? inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        // The child starts with no signal blocked and every signal at its default action,
        // whatever thread spawns it: Dispatch's workers block signals, and an apply ignores
        // SIGINT and SIGTERM to handle them itself; a child inheriting a blocked SIGCHLD
        // (`xl create`) never reaps its hotplug scripts and waits forever.
        //
        // It also leads a new session, so a process group of its own: a deadline stops
        // it with everything it started (`xl`'s hotplug scripts, `xl migrate`'s ssh) by
        // signalling the group; the terminal's Ctrl-C reaches xenplan alone, which lets a
        // running action finish as an interrupted apply promises; and with no controlling
        // terminal a tool that would prompt (an ssh asking about a host key) fails at once
        // instead of waiting, stopped, for an answer no one can give.
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
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | newSession))

        var pid: pid_t = 0
        let rc = withCStrings(argv) { cargv -> Int32 in
            if let environment {
                return withCStrings(environment) { cenv in
                    searchPath
                        ? posix_spawnp(&pid, argv[0], &actions, &attributes, cargv, cenv)
                        : posix_spawn(&pid, argv[0], &actions, &attributes, cargv, cenv)
                }
            }
            return searchPath
                ? posix_spawnp(&pid, argv[0], &actions, &attributes, cargv, environ)
                : posix_spawn(&pid, argv[0], &actions, &attributes, cargv, environ)
        }
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        guard rc == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            throw SpawnError(program: argv[0], code: rc)
        }
        return (pid, inPipe[1], outPipe[0], errPipe[0])
    }

    /// `POSIX_SPAWN_SETSID`, which Swift's Glibc module does not export (glibc defines it
    /// only for `_GNU_SOURCE`): 0x80 since glibc 2.26.
    #if canImport(Glibc)
        private static let newSession: Int32 = 0x80
    #else
        private static let newSession: Int32 = POSIX_SPAWN_SETSID
    #endif

    /// A `waitpid` status as a shell reports it: the exit code, or 128 + the signal.
    static func exitCode(_ status: Int32) -> Int32 {
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
