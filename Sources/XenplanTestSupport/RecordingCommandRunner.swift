import Foundation
import XenplanBasics

/// A `CommandRunner` that runs nothing: it records every argument vector (with its stdin
/// and deadline) and answers from canned results, so tests can assert exactly what a dom0
/// would have run.
public final class RecordingCommandRunner: CommandRunner, @unchecked Sendable {
    public struct Invocation: Equatable, Sendable {
        public var argv: [String]
        public var stdin: String?
        public var timeout: Duration
        /// The file the command read as its stdin (`run(_:stdinFile:timeout:)`).
        public var stdinFile: String? = nil
    }

    private let lock = NSLock()
    private var recorded: [Invocation] = []
    private var responses: [(prefix: [String], result: CommandResult, times: Int?)] = []
    private let fallback: CommandResult

    /// `fallback` answers any command no `respond(to:with:)` matches.
    public init(fallback: CommandResult = CommandResult(status: 0)) {
        self.fallback = fallback
    }

    /// Answers commands whose argv starts with `prefix` (the most recently added match wins).
    /// `times`: only the next so many matching commands get this answer.
    public func respond(to prefix: [String], with result: CommandResult, times: Int? = nil) {
        lock.withLock { responses.append((prefix, result, times)) }
    }

    /// The answer for `argv`; one of a limited number is used up.
    private func answer(_ argv: [String]) -> CommandResult {
        guard let i = responses.lastIndex(where: { argv.starts(with: $0.prefix) }) else { return fallback }
        let result = responses[i].result
        if let times = responses[i].times {
            if times <= 1 { responses.remove(at: i) } else { responses[i].times = times - 1 }
        }
        return result
    }

    public var invocations: [Invocation] { lock.withLock { recorded } }
    /// The recorded argument vectors, in order.
    public var commands: [[String]] { invocations.map(\.argv) }

    public func reset() { lock.withLock { recorded.removeAll() } }

    public func run(_ argv: [String], stdin: String?, timeout: Duration) async throws -> CommandResult {
        lock.withLock {
            recorded.append(Invocation(argv: argv, stdin: stdin, timeout: timeout))
            return answer(argv)
        }
    }

    public func run(_ argv: [String], stdinFile: String, timeout: Duration) async throws -> CommandResult {
        lock.withLock {
            recorded.append(Invocation(argv: argv, stdin: nil, timeout: timeout, stdinFile: stdinFile))
            return answer(argv)
        }
    }
}
