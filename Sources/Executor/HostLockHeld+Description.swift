import HostModel

extension HostLockHeld: CustomStringConvertible {
    /// `host cpt18 is locked by root@box pid 4242 since 2026-12-01T10:00:00Z (xenplan apply)`
    public var description: String {
        "host \(host) is locked by \(holder.user)@\(holder.machine) pid \(holder.pid) since \(holder.time) (\(holder.command))"
    }
}
