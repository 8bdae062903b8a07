import FoundationEssentials
import XenplanBasics

/// Asks a running apply to stop starting new actions (Ctrl-C). Safe from any thread.
public final class StopRequest: @unchecked Sendable {
    private let lock = Lock()
    private var requested = false

    public init() {}

    public var isRequested: Bool { lock.withLock { requested } }

    /// Requests the stop; returns false if it had already been requested.
    @discardableResult
    public func request() -> Bool {
        lock.withLock {
            if requested { return false }
            requested = true
            return true
        }
    }
}
