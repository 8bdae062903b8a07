import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An error of the simulator itself (no state for a host, unreadable file), as opposed to
/// a refusal of the simulated host, which is a `HostError`.
public struct SimError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    static func noState(host: String, directory: String) -> SimError {
        SimError("no simulated state for host \(host) in \(directory)")
    }

    static func invalidHostName(_ host: String) -> SimError {
        SimError("invalid simulated host name '\(host)': use [a-z0-9][a-z0-9.-]{0,62}")
    }

    static func unreadable(_ path: String, _ reason: String) -> SimError {
        SimError("cannot read simulated host file \(path): \(reason)")
    }

    static func io(_ what: String, _ path: String) -> SimError {
        SimError("cannot \(what) \(path): \(String(cString: strerror(errno)))")
    }
}
