/// The result of running one process.
public struct CommandResult: Equatable, Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public init(status: Int32, stdout: String = "", stderr: String = "") {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs processes by argument vector only. Nothing ever goes through a shell, so no
/// value from a manifest can be interpreted as shell syntax; tests substitute a
/// recorder to assert the exact command lines a dom0 would see.
public protocol CommandRunner: Sendable {
    func run(_ argv: [String], stdin: String?) async throws -> CommandResult
}
