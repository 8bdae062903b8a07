/// Runs processes by argument vector only. Nothing ever goes through a shell, so no
/// value from a manifest can be interpreted as shell syntax; tests substitute a
/// recorder to assert the exact command lines a dom0 would see.
///
/// Every run has a deadline: a tool that hangs (an `xl create` waiting on a hotplug
/// script, a `dd` onto a stuck device) must not hold an apply, and the host's lock, for
/// ever. Past it the runner stops the command and everything it started, and throws
/// `CommandTimeout`.
public protocol CommandRunner: Sendable {
    func run(_ argv: [String], stdin: String?, timeout: Duration) async throws -> CommandResult
    /// Runs `argv` with its standard input read from the file at `stdinFile` (a volume
    /// sent to another dom0 by `ssh`): the file is opened here and handed to the child,
    /// never named to a shell.
    func run(_ argv: [String], stdinFile: String, timeout: Duration) async throws -> CommandResult
}
