import XenplanBasics

/// How an apply runs.
public struct ExecutorOptions: Sendable {
    /// At most this many actions at once, over all hosts.
    public var parallelism: Int
    /// How long a memory decrease may take to come back from the guest's balloon.
    public var balloonTimeout: Duration
    /// How far above its target a guest's actual memory may stay and still count as
    /// deflated (page rounding, a balloon driver's slack).
    public var balloonTolerance: ByteSize
    /// Actions left out before the apply starts, with why.
    public var excluded: [Int: Exclusion]

    public init(
        parallelism: Int = 4, balloonTimeout: Duration = .seconds(120), balloonTolerance: ByteSize = .mib(1),
        excluded: [Int: Exclusion] = [:]
    ) {
        self.parallelism = max(1, parallelism)
        self.balloonTimeout = balloonTimeout
        self.balloonTolerance = balloonTolerance
        self.excluded = excluded
    }
}
