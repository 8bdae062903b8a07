import Executor
import FoundationEssentials
import HostModel
import Planner
import XenplanBasics

/// The events `ProgressText` shows, as typed JSON lines on standard output, for CI
/// (`ApplyEvent`, docs/events.md).
final class ProgressJSON: ExecutionObserver, @unchecked Sendable {
    private let lock = Lock()
    private var ticker: HeartbeatTicker?

    init() {
        ticker = HeartbeatTicker { [weak self] action, elapsed, activity in
            self?.emit(.progress, action) {
                $0.elapsedMs = elapsed.milliseconds
                $0.message = activity
            }
        }
    }

    func willStart(_ action: PlannedAction) {
        ticker?.started(action)
        emit(.started, action)
    }
    func didFinish(_ action: PlannedAction, elapsed: Duration) {
        ticker?.ended(action)
        emit(.done, action) { $0.elapsedMs = elapsed.milliseconds }
    }
    func didFail(_ action: PlannedAction, failure: ActionFailure, elapsed: Duration) {
        ticker?.ended(action)
        emit(.failed, action) {
            $0.elapsedMs = elapsed.milliseconds
            $0.operation = failure.operation
            $0.message = failure.message
        }
    }
    func didSkip(_ action: PlannedAction, because reason: SkipReason) { emit(.skipped, action) { $0.message = reason.description } }
    func balloonHolds(_ action: PlannedAction, domain: String, holds: ByteSize, target: ByteSize) {
        ticker?.learnt(action, Heartbeat.balloon(domain: domain, holds: holds, target: target))
    }

    func willPerform(_ operation: HostOperation, step: Int, on host: String, of action: PlannedAction) {
        ticker?.performing(action, step: step)
    }

    func willWaitForBalloon(_ action: PlannedAction, domain: String, target: ByteSize) {
        emit(.balloonWait, action) { $0.targetMiB = target.mib }
    }

    private func emit(_ kind: ActionEvent.Kind, _ action: PlannedAction, _ fill: (inout ActionEvent) -> Void = { _ in }) {
        var event = ActionEvent(kind, action, time: Journal.timestamp())
        fill(&event)
        lock.withLock { Self.line(.action(event)) }
    }

    /// One event on one line of standard output, keys sorted.
    static func line(_ event: ApplyEvent) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(event) else { return }
        Console.out(String(decoding: data, as: UTF8.self))
    }
}
