import XenplanBasics

/// Reads and changes one host. Implementations: the simulated host, the local Xen
/// driver, and the ssh agent client. All of them behave alike: observation is one
/// batched pass, operations may take minutes, errors carry the tool's message.
public protocol HostDriver: Sendable {
    var hostName: String { get }
    /// One consistent snapshot of the host.
    func observe() async throws -> HostState
    /// Perform one operation; returns when it is complete or throws a `HostError`.
    func perform(_ operation: HostOperation) async throws
}
