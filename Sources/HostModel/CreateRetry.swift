/// When a failed `xl create` is tried again, and how.
///
/// libxl gives each device's hotplug script (the block script that sets up a loop
/// device for a file-backed disk, the vif script that puts an interface on its bridge) a
/// fixed 40 s; past that it kills the script, destroys the domain it was building and
/// fails the create. On a busy dom0 (guests booting, another domain being built) that is
/// a passing condition, not a fault of the configuration: an administrator runs the same
/// `xl create` again after a moment. So does xenplan, once the half-built domain is seen
/// gone, at most `attempts` times in all, pausing longer before each new try; any other
/// failure, or a domain left behind, fails at once.
/// The simulated host applies the same rule to an injected failure that says what
/// libxl says, so the retry is modelled where it is tested.
public enum CreateRetry {
    /// Tries in all, the first included.
    public static let attempts = 3

    /// How long to let the host settle before try `attempt` (2, 3, …): what starved the
    /// scripts (a guest booting, another domain being built) is usually over by then.
    public static func pause(before attempt: Int) -> Duration { .seconds(15 * (attempt - 1)) }

    /// What libxl prints when it kills a hotplug script at its deadline
    /// (`async_exec_timeout: killing execution of /etc/xen/scripts/block add because of timeout`).
    public static func isHotplugTimeout(_ message: String) -> Bool {
        message.contains("killing execution of") && message.contains("because of timeout")
    }

    /// Runs `create` until it succeeds; a hotplug timeout is tried again once `isGone`
    /// says no domain of that name is left (a domain still there is never created twice).
    /// `retrying` hears the number of each new try.
    /// `wait` sleeps the pause before each new try (the simulated host's clock, or none).
    public static func run(
        isGone: () async throws -> Bool, retrying: (Int) -> Void, wait: (Duration) async throws -> Void,
        create: () async throws -> Void
    ) async throws {
        var attempt = 1
        while true {
            do {
                return try await create()
            } catch let error as HostError {
                guard isHotplugTimeout(error.message) else { throw error }
                guard attempt < attempts, try await isGone() else { throw gaveUp(error, after: attempt) }
                attempt += 1
                retrying(attempt)
                try await wait(pause(before: attempt))
            }
        }
    }

    /// The last failure, saying how many times it was tried.
    static func gaveUp(_ error: HostError, after tries: Int) -> HostError {
        guard tries > 1 else { return error }
        var error = error
        error.message += "\n(tried \(tries) times: each time a hotplug script ran out of libxl's time)"
        return error
    }
}
