import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How an apply runs.
public struct ExecutorOptions: Sendable {
    /// At most this many actions at once on one host (`--parallelism`); an action that
    /// touches two hosts (a migration, a cold move) takes a slot on each.
    public var parallelism: Int
    /// At most this many actions at once over all hosts: each running action may hold a
    /// process and its pipes (an `xl`, an ssh session), so a lab of hundreds of hosts
    /// stays within a process's file descriptors.
    public var maxInFlight: Int
    /// How long a memory decrease may take to come back from the guest's balloon.
    public var balloonTimeout: Duration
    /// How far above its target a guest's actual memory may stay and still count as
    /// deflated (page rounding, a balloon driver's slack).
    public var balloonTolerance: ByteSize
    /// Actions left out before the apply starts, with why.
    public var excluded: [Int: Exclusion]

    public init(
        parallelism: Int = 4, balloonTimeout: Duration = .seconds(120), balloonTolerance: ByteSize = .mib(1),
        excluded: [Int: Exclusion] = [:], maxInFlight: Int = ExecutorOptions.defaultMaxInFlight
    ) {
        self.parallelism = max(1, parallelism)
        self.maxInFlight = max(1, maxInFlight)
        self.balloonTimeout = balloonTimeout
        self.balloonTolerance = balloonTolerance
        self.excluded = excluded
    }

    /// 1,024 actions, or fewer when this process may open fewer than about four files per
    /// action (`RLIMIT_NOFILE`): an action on a real host runs a process with three pipes.
    public static let defaultMaxInFlight: Int = {
        var limit = rlimit()
        #if canImport(Glibc)
            let resource = Int32(RLIMIT_NOFILE.rawValue)
        #else
            let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < rlim_t(Int.max) else { return 1024 }
        return min(1024, max(16, (Int(clamping: limit.rlim_cur) - 64) / 4))
    }()
}
