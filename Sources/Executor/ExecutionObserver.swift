import HostModel
import Planner
import XenplanBasics

/// Why an action was not run.
public enum SkipReason: Hashable, Sendable, CustomStringConvertible {
    /// An action it depends on failed, was skipped or was left out.
    case dependency(id: Int, kind: ActionKind, domain: String?, outcome: String)
    /// The apply was interrupted (Ctrl-C) before it started.
    case interrupted
    /// The apply stopped after a balloon did not give memory back in time.
    case stopped(String)

    public var description: String {
        switch self {
        case let .dependency(id, kind, domain, outcome):
            return "depends on #\(id) \(kind.rawValue)\(domain.map { " " + $0 } ?? ""), which \(outcome)"
        case .interrupted:
            return "interrupted before it started"
        case let .stopped(why):
            return "the apply stopped: \(why)"
        }
    }
}

/// Why an action failed: the host's own message, and the operation that failed.
public struct ActionFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The operation kind (`create`, `migrate`, …), or `balloon` for a balloon that did not deflate.
    public var operation: String
    /// What the tool said (`xl`'s stderr, the simulator's refusal).
    public var message: String
    /// True when the whole apply stops because of it (a balloon wait that timed out).
    public var stopsApply: Bool

    public init(operation: String, message: String, stopsApply: Bool = false) {
        self.operation = operation
        self.message = message
        self.stopsApply = stopsApply
    }

    public var description: String { "\(operation): \(message)" }
}

/// Progress of an apply, as `will…`/`did…` pairs. Calls come one at a time, from the
/// executor's scheduling loop, in the order things happen.
public protocol ExecutionObserver: Sendable {
    func willStart(_ action: PlannedAction)
    func didFinish(_ action: PlannedAction, elapsed: Duration)
    func didFail(_ action: PlannedAction, failure: ActionFailure, elapsed: Duration)
    func didSkip(_ action: PlannedAction, because reason: SkipReason)
    /// An action's operations are done; it now waits for the guest's balloon.
    func willWaitForBalloon(_ action: PlannedAction, domain: String, target: ByteSize)
    /// While it waits: what the guest was last seen holding (each poll of the host).
    func balloonHolds(_ action: PlannedAction, domain: String, holds: ByteSize, target: ByteSize)
    /// Step `step` of the action (its `operation`, on `host`) is about to run: what a long
    /// action is busy with (a cold move's copy of one volume after another). Called from
    /// the action's own task.
    func willPerform(_ operation: HostOperation, step: Int, on host: String, of action: PlannedAction)
}

extension ExecutionObserver {
    public func willWaitForBalloon(_ action: PlannedAction, domain: String, target: ByteSize) {}
    public func balloonHolds(_ action: PlannedAction, domain: String, holds: ByteSize, target: ByteSize) {}
    public func willPerform(_ operation: HostOperation, step: Int, on host: String, of action: PlannedAction) {}
}

/// Observes nothing (tests, library users that only want the report).
public struct SilentObserver: ExecutionObserver {
    public init() {}
    public func willStart(_ action: PlannedAction) {}
    public func didFinish(_ action: PlannedAction, elapsed: Duration) {}
    public func didFail(_ action: PlannedAction, failure: ActionFailure, elapsed: Duration) {}
    public func didSkip(_ action: PlannedAction, because reason: SkipReason) {}
}
