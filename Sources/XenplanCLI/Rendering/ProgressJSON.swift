import Executor
import Foundation
import Planner
import XenplanBasics

/// The events `ProgressText` shows, as JSON lines on standard output, for CI.
final class ProgressJSON: ExecutionObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var ticker: HeartbeatTicker?

    init() {
        ticker = HeartbeatTicker { [weak self] action, elapsed in
            self?.emit("progress", action, ["elapsedMs": elapsed.milliseconds, "message": Heartbeat.activity(of: action)])
        }
    }

    func willStart(_ action: PlannedAction) {
        ticker?.started(action)
        emit("started", action)
    }
    func didFinish(_ action: PlannedAction, elapsed: Duration) {
        ticker?.ended(action)
        emit("done", action, ["elapsedMs": elapsed.milliseconds])
    }
    func didFail(_ action: PlannedAction, failure: ActionFailure, elapsed: Duration) {
        ticker?.ended(action)
        emit("failed", action, ["elapsedMs": elapsed.milliseconds, "operation": failure.operation, "message": failure.message])
    }
    func didSkip(_ action: PlannedAction, because reason: SkipReason) { emit("skipped", action, ["message": reason.description]) }
    func willWaitForBalloon(_ action: PlannedAction, domain: String, target: ByteSize) {
        emit("balloon-wait", action, ["targetMiB": target.mib])
    }

    private func emit(_ event: String, _ action: PlannedAction, _ extra: [String: Any] = [:]) {
        var object: [String: Any] = [
            "event": event, "action": action.id, "kind": action.kind.rawValue, "host": action.host,
            "time": Journal.timestamp(),
        ]
        if let domain = action.domain { object["domain"] = domain }
        if let target = action.targetHost { object["targetHost"] = target }
        for (k, v) in extra { object[k] = v }
        lock.withLock { Self.line(object) }
    }

    /// One JSON object on one line of standard output, keys sorted.
    static func line(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        Console.out(String(decoding: data, as: UTF8.self))
    }

    static func summary(_ report: ExecutionReport) -> [String: Any] {
        func entry(_ a: PlannedAction, _ message: String) -> [String: Any] {
            var o: [String: Any] = ["action": a.id, "kind": a.kind.rawValue, "host": a.host, "message": message]
            if let d = a.domain { o["domain"] = d }
            return o
        }
        return [
            "event": "summary", "succeeded": report.succeeded, "interrupted": report.interrupted,
            "elapsedMs": report.elapsed.milliseconds, "done": report.done.count,
            "failed": report.failed.map { entry($0.action, $0.failure.description) },
            "skipped": report.skipped.map { entry($0.action, $0.reason.description) },
            "excluded": report.excluded.map { entry($0.action, $0.exclusion.description) },
        ]
    }
}
