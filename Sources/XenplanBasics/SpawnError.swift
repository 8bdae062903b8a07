#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program that could not be started: not installed, not executable, or no pipes or
/// processes left. `code` is the `errno` the start failed with, so a caller can tell a
/// missing tool (ENOENT) from the rest.
public struct SpawnError: Error, Sendable, Equatable, CustomStringConvertible {
    public var program: String
    public var code: Int32

    public init(program: String, code: Int32) {
        self.program = program
        self.code = code
    }

    /// The system's words for `code`, for a caller that names the program itself.
    public var reason: String { String(cString: strerror(code)) }
    public var description: String { "cannot run \(program): \(reason)" }
}
