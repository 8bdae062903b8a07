#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A program that could not be started: not installed, not executable, or no pipes or
/// processes left. A caller can tell a missing tool (ENOENT) from the rest by its `code`.
public struct SpawnError: Error, Sendable, Equatable, CustomStringConvertible {
    public var program: String
    /// The `errno` the start failed with.
    public var code: Int32

    /// The system's words for `code`, for a caller that names the program itself.
    public var reason: String { String(cString: strerror(code)) }
    public var description: String { "cannot run \(program): \(reason)" }

    public init(program: String, code: Int32) {
        self.program = program
        self.code = code
    }
}
