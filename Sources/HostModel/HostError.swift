/// A failure reported by a host, carrying the tool's own message (e.g. `xl`'s stderr)
/// so that the user reads what the hypervisor said, not a code.
public struct HostError: Error, Hashable, Sendable, CustomStringConvertible {
    public var host: String
    /// The operation kind (`mem-set`, `observe`, …).
    public var operation: String
    public var domain: String?
    public var message: String

    public init(host: String, operation: String, domain: String? = nil, message: String) {
        self.host = host
        self.operation = operation
        self.domain = domain
        self.message = message
    }

    public var description: String {
        "host \(host): \(operation)" + (domain.map { " of domain \($0)" } ?? "") + " failed: \(message)"
    }
}
