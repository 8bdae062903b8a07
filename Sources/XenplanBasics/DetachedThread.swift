#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A thread of its own for work that blocks (a `read` on a pipe, a `waitpid`), so that it
/// never holds a thread of Swift's cooperative pool. Detached: it ends with its body and
/// no one joins it. Foundation's `Thread` would do, but Foundation is not linked into
/// xenplan.
public enum DetachedThread {
    /// Starts `body` on a new thread. A thread that cannot be created is a resource exhaustion the process cannot
    /// work around: it stops, as Foundation's `Thread` does.
    public static func start(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Body(run: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, &attributes,
            { context in
                let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
                body.run()
                return nil
            }, box)
        precondition(rc == 0, "cannot start a thread: \(String(cString: strerror(rc)))")
    }

    private final class Body {
        let run: @Sendable () -> Void

        init(run: @escaping @Sendable () -> Void) {
            self.run = run
        }
    }
}
