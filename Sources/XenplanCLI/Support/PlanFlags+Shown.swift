import Planner
import XenplanBasics

extension PlanFlags {
    /// The flags as they were given: `--allow-data-loss --host cpt18`; empty for none.
    var shown: String {
        var parts: [String] = []
        if allowRestart { parts.append("--allow-restart") }
        if allowDataLoss { parts.append("--allow-data-loss") }
        if prune { parts.append("--prune") }
        for host in hosts ?? [] { parts.append("--host \(shownValue(host))") }
        for domain in domains ?? [] { parts.append("--domain \(shownValue(domain))") }
        for host in skippedHosts { parts.append("--skip-unreachable \(shownValue(host))") }
        return parts.joined(separator: " ")
    }
}
