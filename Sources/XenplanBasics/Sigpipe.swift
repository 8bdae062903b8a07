#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// xenplan's one way with SIGPIPE. The process keeps the default action, so that
/// `xenplan plan | head` ends quietly as any Unix tool does; no code sets it to ignored
/// (a process-wide ignore would turn that into an EPIPE on standard output, and be
/// inherited by every child started without `Spawn`). A write to a pipe whose reader
/// may vanish (a tool's stdin, ssh's stdin, the agent's stdout) runs inside `suppressed`
/// instead: it then fails with EPIPE, which its caller reports in its own words.
public enum Sigpipe {
    /// Runs `body` with SIGPIPE blocked on this thread, and consumes the one a write to a
    /// closed pipe raised (a write raises it on the writing thread, so it waits there,
    /// pending, until taken). A SIGPIPE the thread already had blocked and pending is
    /// left as it was.
    public static func suppressed<R>(_ body: () throws -> R) rethrows -> R {
        var pipeOnly = sigset_t(), previous = sigset_t()
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeOnly, &previous)
        defer {
            var pending = sigset_t()
            sigpending(&pending)
            if sigismember(&pending, SIGPIPE) == 1 && sigismember(&previous, SIGPIPE) == 0 {
                var zero = timespec(tv_sec: 0, tv_nsec: 0)
                _ = sigtimedwait(&pipeOnly, nil, &zero)
            }
            pthread_sigmask(SIG_SETMASK, &previous, nil)
        }
        return try body()
    }
}
