import Dispatch
import FoundationEssentials
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Ctrl-C (SIGINT) and SIGTERM during an apply, handled on a dispatch queue rather than
/// in a signal handler, so that the response may take locks, print and release host locks.
///
/// Before execution an interrupt ends the process at once (nothing has changed); during
/// execution the first asks the executor to stop starting actions, the second abandons
/// the running ones.
final class Interruption: @unchecked Sendable {
    private let lock = Lock()
    private var sources: [any DispatchSourceSignal] = []
    private var handler: (@Sendable (Int) -> Void)?
    private var count = 0

    /// Starts catching SIGINT and SIGTERM; `handler` gets the number of interrupts so far.
    init() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in self?.fire() }
            source.resume()
            sources.append(source)
        }
    }

    /// Replaces what an interrupt does from now on.
    func onInterrupt(_ handler: @escaping @Sendable (Int) -> Void) {
        lock.withLock { self.handler = handler }
    }

    private func fire() {
        let (handler, n): ((@Sendable (Int) -> Void)?, Int) = lock.withLock {
            count += 1
            return (self.handler, count)
        }
        handler?(n)
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
