import FoundationEssentials
import Logging
import XenplanBasics

/// What `--verbose` prints: one line per message on standard error,
/// `[  1.234 s] ssh cpt18: …`, the time since the process started, the logger's subject
/// and the message with its metadata, escaped for a terminal (a message may carry a
/// host's own words). Silent unless `Verbosity` is on: xenplan logs nothing above debug.
struct VerboseLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    static let started = ContinuousClock.now

    init(label: String) { self.label = label }

    var logLevel: Logger.Level {
        get { Verbosity.isOn ? .debug : .warning }
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let elapsed = ContinuousClock.now - Self.started
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        _ = writeFully(2, Data((Self.line(label: label, message: "\(event.message)", metadata: merged, elapsed: elapsed) + "\n").utf8))
    }

    /// `[  1.234 s] subject: message key=value …`; the subject is the label after
    /// `xenplan.` (`ssh`, `host`, `agent`, `plan`).
    static func line(label: String, message: String, metadata: Logger.Metadata, elapsed: Duration) -> String {
        let (seconds, attoseconds) = elapsed.components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        let whole = String(millis / 1000), fraction = String(millis % 1000)
        let stamp =
            "[" + String(repeating: " ", count: max(0, 4 - whole.count)) + whole + "."
            + String(repeating: "0", count: 3 - fraction.count) + fraction + " s]"
        let subject = label.hasPrefix("xenplan.") ? String(label.dropFirst("xenplan.".count)) : label
        let extra = metadata.keys.sorted().map { "\($0)=\(metadata[$0]!)" }.joined(separator: " ")
        let text = extra.isEmpty ? message : "\(message) \(extra)"
        return "\(stamp) \(subject): \(TerminalText.escaped(text, multiline: false))"
    }

    /// Installs the handler for the process; turns verbosity on when the environment asks.
    static func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if Verbosity.requested(byEnvironment: environment["XENPLAN_VERBOSE"]) { Verbosity.turnOn() }
        LoggingSystem.bootstrap { VerboseLogHandler(label: $0) }
    }
}
