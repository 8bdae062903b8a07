import Executor
import Planner

/// One line of `apply --json` (and of `backup`/`restore --json`): every event of the
/// stream is one of these, encoded with `event` first naming which. docs/events.md
/// lists each field; the stream's first line is a `StreamEvent` giving its version.
enum ApplyEvent: Codable, Equatable {
    case stream(StreamEvent)
    case plan(PlanEvent)
    case action(ActionEvent)
    case summary(SummaryEvent)

    private enum Key: String, CodingKey { case event }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case let .stream(e): try e.encode(to: encoder)
        case let .plan(e): try e.encode(to: encoder)
        case let .action(e): try e.encode(to: encoder)
        case let .summary(e): try e.encode(to: encoder)
        }
    }

    init(from decoder: any Decoder) throws {
        let name = try decoder.container(keyedBy: Key.self).decode(String.self, forKey: .event)
        switch name {
        case StreamEvent.name: self = .stream(try StreamEvent(from: decoder))
        case PlanEvent.name: self = .plan(try PlanEvent(from: decoder))
        case SummaryEvent.name: self = .summary(try SummaryEvent(from: decoder))
        default:
            guard ActionEvent.Kind(rawValue: name) != nil else {
                throw DecodingError.dataCorruptedError(
                    forKey: .event, in: try decoder.container(keyedBy: Key.self), debugDescription: "unknown event \(name)")
            }
            self = .action(try ActionEvent(from: decoder))
        }
    }
}

/// The first line: which stream this is, and its version.
struct StreamEvent: Codable, Equatable {
    static let name = "stream"
    /// Raised when a field changes meaning or goes away; new fields and events do not.
    static let currentVersion = 1

    var event = StreamEvent.name
    /// `xenplan apply`, `xenplan backup` or `xenplan restore`.
    var command: String
    var version = StreamEvent.currentVersion
    /// The run's id, as the journal names it.
    var run: String
}

/// What will be carried out, once the plan is made and gated.
struct PlanEvent: Codable, Equatable {
    static let name = "plan"
    var event = PlanEvent.name
    /// Actions that will run.
    var actions: Int
    /// The plan's digest (as a saved plan and the journal give it).
    var digest: String
    /// Actions that will not run, with why.
    var excluded: [ActionOutcome]
}

/// An action, and what became of it or why it does not run.
struct ActionOutcome: Codable, Equatable {
    var action: Int
    var kind: String
    var host: String
    var domain: String?
    var message: String

    init(_ action: PlannedAction, _ message: String) {
        self.action = action.id
        kind = action.kind.rawValue
        host = action.host
        domain = action.domain
        self.message = message
    }
}

/// Something that happened to one action.
struct ActionEvent: Codable, Equatable {
    enum Kind: String, Codable {
        case started, done, failed, skipped, progress
        case balloonWait = "balloon-wait"
    }

    var event: Kind
    var action: Int
    /// The action's kind (`create`, `migrate`, …), as in the plan.
    var kind: String
    var host: String
    var domain: String?
    /// For a migration: the receiving host.
    var targetHost: String?
    /// UTC, `2026-12-02T01:15:00.123Z`.
    var time: String
    /// `done`, `failed`, `progress`: how long the action has run.
    var elapsedMs: Int64?
    /// `failed`: the host operation that failed.
    var operation: String?
    /// `failed`: the host's message; `skipped`: why; `progress`: what it is busy with.
    var message: String?
    /// `balloon-wait`: the memory target the guest must reach, MiB.
    var targetMiB: Int64?

    init(_ event: Kind, _ action: PlannedAction, time: String) {
        self.event = event
        self.action = action.id
        kind = action.kind.rawValue
        host = action.host
        domain = action.domain
        targetHost = action.targetHost
        self.time = time
    }
}

/// The last line.
struct SummaryEvent: Codable, Equatable {
    static let name = "summary"
    var event = SummaryEvent.name
    var succeeded: Bool
    var interrupted: Bool
    var elapsedMs: Int64
    /// Actions that completed.
    var done: Int
    var failed: [ActionOutcome]
    var skipped: [ActionOutcome]
    var excluded: [ActionOutcome]

    init(_ report: ExecutionReport) {
        succeeded = report.succeeded
        interrupted = report.interrupted
        elapsedMs = report.elapsed.milliseconds
        done = report.done.count
        failed = report.failed.map { ActionOutcome($0.action, $0.failure.description) }
        skipped = report.skipped.map { ActionOutcome($0.action, $0.reason.description) }
        excluded = report.excluded.map { ActionOutcome($0.action, $0.exclusion.description) }
    }

    /// Nothing ran: everything was in place, or left out.
    init(nothingRun excluded: [ActionOutcome]) {
        succeeded = true
        interrupted = false
        elapsedMs = 0
        done = 0
        failed = []
        skipped = []
        self.excluded = excluded
    }
}
