/// How long each kind of tool the driver runs may take before it is stopped with what
/// it started (`CommandRunner`). The command line fills it from the client's deadlines
/// for the same work on an agent host (`AgentLimits`, `XENPLAN_TIMEOUT_*`): one setting
/// means the same whichever way a host is reached, and the defaults live there alone.
public struct CommandDeadlines: Hashable, Sendable {
    /// `lvs`: the one tool of an observation.
    public var observe: Duration
    /// `xl create`.
    public var create: Duration
    /// `xl migrate`, and `xl save` / `xl restore`, which move as much memory.
    public var migrate: Duration
    /// `sha256sum`, `dd`, `cp`, `zstd` and `qemu-img` on a disk image, a snapshot or a
    /// backup's copy: each reads or writes every block of a large disk.
    public var copyImage: Duration
    /// Every other tool: `xl` and LVM changes, `ip`, `genisoimage`.
    public var operation: Duration

    public init(observe: Duration, create: Duration, migrate: Duration, copyImage: Duration, operation: Duration) {
        self.observe = observe
        self.create = create
        self.migrate = migrate
        self.copyImage = copyImage
        self.operation = operation
    }
}
