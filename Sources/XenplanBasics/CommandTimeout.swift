/// A command that was still running at its deadline. It has been stopped with every
/// process it started (its whole process group), so nothing it began is left running.
public struct CommandTimeout: Error, Sendable, Equatable, CustomStringConvertible {
    public var argv: [String]
    public var timeout: Duration

    public init(argv: [String], timeout: Duration) {
        self.argv = argv
        self.timeout = timeout
    }

    public var description: String {
        "`\(argv.joined(separator: " "))` did not finish within \(timeout.shownSeconds) and was killed, with the processes it started"
    }
}
