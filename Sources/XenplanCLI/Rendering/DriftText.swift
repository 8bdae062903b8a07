import Planner

/// `xenplan drift` for people: one line per difference, grouped by class, then a count.
struct DriftText {
    var report: DriftReport
    var directory: String
    var observation: ObservationLine

    func render() -> String {
        var out = [observation.render(), ""]
        if report.inSync {
            out.append("In sync: the hosts match \(directory) (\(report.domains.count) domains).")
            return out.joined(separator: "\n")
        }
        let width = DriftClass.allCases.map { Self.title($0).count }.max() ?? 0
        for kind in DriftClass.allCases {
            for item in report.items where item.kind == kind {
                let subject = [item.domain, item.host.map { "on \($0)" }].compactMap { $0 }.joined(separator: " ")
                out.append("  \(Self.title(kind).padded(to: width))  \(subject): \(item.message)")
            }
        }
        out.append("")
        let parts = DriftClass.allCases.compactMap { kind in report.counts[kind].map { "\($0) \(Self.title(kind))" } }
        let n = report.items.count
        out.append("\(n) \(n == 1 ? "difference" : "differences"): \(parts.joined(separator: ", ")).")
        return out.joined(separator: "\n")
    }

    static func title(_ kind: DriftClass) -> String {
        switch kind {
        case .changedOutOfBand: return "changed out of band"
        case .missing: return "missing"
        case .unmanaged: return "unmanaged"
        case .pendingRestart: return "pending restart"
        case .orphanVolume: return "orphan volume"
        case .notApplied: return "not applied"
        }
    }
}
