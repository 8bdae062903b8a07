import ArgumentParser
import FoundationEssentials

/// `--state-dir`, shared by every command that touches simulated hosts or the journal.
struct StateOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: "Where the journal and simulated hosts live (default: $XENPLAN_STATE_DIR, else ./state).")
    var stateDir: String?

    /// The flag, else `$XENPLAN_STATE_DIR`, else `state` in the current directory.
    var path: String {
        if let stateDir { return stateDir }
        if let env = ProcessInfo.processInfo.environment["XENPLAN_STATE_DIR"], !env.isEmpty { return env }
        return "state"
    }

    /// The apply journal in the state directory.
    var journalPath: String { URL(fileURLWithPath: path).appendingPathComponent("journal.jsonl").path }
}
