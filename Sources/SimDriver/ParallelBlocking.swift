import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs blocking work (a write and its `fsync`) on threads of its own, several at once:
/// a disk completes concurrent syncs together, so that syncing ten files side by side
/// takes little longer than syncing one, where one after the other takes ten times as
/// long. Never on the threads of Swift's concurrency pool, which blocking would stall.
enum ParallelBlocking {
    private final class Work: @unchecked Sendable {
        let body: (Int) -> Void
        let count: Int
        private var next = 0
        private let lock = Lock()
        init(count: Int, body: @escaping (Int) -> Void) {
            self.count = count
            self.body = body
        }

        /// The next index to run, nil when all are taken.
        func take() -> Int? {
            lock.withLock {
                guard next < count else { return nil }
                next += 1
                return next - 1
            }
        }

        func drain() { while let index = take() { body(index) } }
    }

    /// Calls `body(0..<count)`, on up to `width` threads, and returns when all are done.
    static func forEach(_ count: Int, width: Int = 16, _ body: @escaping (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { body(0) }
            return
        }
        let work = Work(count: count, body: body)
        var threads: [pthread_t] = []
        for _ in 1..<min(count, max(1, width)) {
            #if canImport(Glibc)
                var thread = pthread_t()
            #else
                var thread: pthread_t?
            #endif
            let context = Unmanaged.passRetained(work).toOpaque()
            let started = pthread_create(
                &thread, nil,
                { context in
                    let work = Unmanaged<Work>.fromOpaque(context!).takeRetainedValue()
                    work.drain()
                    return nil
                }, context)
            guard started == 0 else {
                Unmanaged<Work>.fromOpaque(context).release()
                break
            }
            #if canImport(Glibc)
                threads.append(thread)
            #else
                if let thread { threads.append(thread) }
            #endif
        }
        // This thread works too, so that the work is done even when no thread started.
        work.drain()
        for thread in threads { pthread_join(thread, nil) }
    }
}
