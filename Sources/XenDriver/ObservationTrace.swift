import FoundationEssentials
import Logging
import XenplanBasics

/// With `--verbose` (or `XENPLAN_TRACE_OBSERVE=1` alone), the local driver says how long
/// each part of an observation took on stderr: the answer to "why is plan slow on this
/// dom0?" without a profiler on the host.
struct ObservationTrace {
    static let log = Logger(label: "xenplan.host")
    private let enabled: Bool
    private let clock = ContinuousClock()
    private var last: ContinuousClock.Instant
    private var parts: [String] = []

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        enabled = Verbosity.isOn || (environment["XENPLAN_TRACE_OBSERVE"].map { !$0.isEmpty && $0 != "0" } ?? false)
        last = clock.now
    }

    mutating func mark(_ part: String) {
        guard enabled else { return }
        let now = clock.now
        let (seconds, attoseconds) = (now - last).components
        parts.append("\(part) \(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms")
        last = now
    }

    /// The line `finish` prints; nil when tracing is off.
    func line(host: String) -> String? {
        enabled ? "observe \(host): \(parts.joined(separator: ", "))" : nil
    }

    func finish(host: String) {
        guard let line = line(host: host) else { return }
        if Verbosity.isOn {
            Self.log.debug("\(line)")
        } else {
            _ = writeFully(2, Data((line + "\n").utf8))
        }
    }
}
