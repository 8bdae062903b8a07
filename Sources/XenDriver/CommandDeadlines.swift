/// How long each kind of tool the driver runs may take before it is stopped with what
/// it started (`CommandRunner`). The defaults are the client's deadlines for the same
/// work on an agent host (`AgentLimits`), and the command line sets both from the same
/// `XENPLAN_TIMEOUT_*` variables, so one setting means the same on either side.
public struct CommandDeadlines: Hashable, Sendable {
    /// `lvs`: the one tool of an observation.
    public var observe: Duration = .seconds(60)
    /// `xl create`: a guest with large memory takes a while to build.
    public var create: Duration = .seconds(600)
    /// `xl migrate`: copying the memory of a large guest over a slow link.
    public var migrate: Duration = .seconds(1800)
    /// `sha256sum`, `dd`, `cp` and `qemu-img` on a disk image: each reads or writes every
    /// block of a large disk.
    public var copyImage: Duration = .seconds(3600)
    /// Every other tool: `xl` and LVM changes, `ip`, `genisoimage`.
    public var operation: Duration = .seconds(120)

    public init() {}

    public init(observe: Duration, create: Duration, migrate: Duration, copyImage: Duration, operation: Duration) {
        self.observe = observe
        self.create = create
        self.migrate = migrate
        self.copyImage = copyImage
        self.operation = operation
    }
}
