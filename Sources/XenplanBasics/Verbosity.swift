import Synchronization

/// Whether this process says what it does in detail (`--verbose`, `XENPLAN_VERBOSE=1`, or
/// an agent whose client asked for it): the commands run on hosts, the agent's requests,
/// and how long each took. One switch for the process, read by the log handler on every
/// message, so that it can be turned on after the loggers were made (an agent learns it
/// from the hello).
public enum Verbosity {
    private static let on = Mutex(false)

    public static var isOn: Bool { on.withLock { $0 } }

    public static func turnOn() { on.withLock { $0 = true } }

    /// `XENPLAN_VERBOSE` set to anything but empty, `0`, `no` or `false`.
    public static func requested(byEnvironment value: String?) -> Bool {
        guard let value = value?.lowercased(), !value.isEmpty else { return false }
        return !["0", "no", "false"].contains(value)
    }
}
