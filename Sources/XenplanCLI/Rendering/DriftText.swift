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
                out.append("  \(Self.title(kind).padding(toLength: width, withPad: " ", startingAt: 0))  \(subject): \(item.message)")
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

/// The JSON form: versioned, with the counts precomputed for dashboards.
struct DriftJSON: Encodable {
    var formatVersion = 1
    var lab: String?
    var inSync: Bool
    var counts: [String: Int]
    var items: [DriftItem]

    init(report: DriftReport) {
        lab = report.lab
        inSync = report.inSync
        counts = Dictionary(uniqueKeysWithValues: report.counts.map { ($0.key.rawValue, $0.value) })
        items = report.items
    }
}

/// JUnit XML: one test case per domain (failing when it drifted), plus one for
/// differences that belong to no domain, so CI dashboards show drift per guest.
struct DriftJUnit {
    var report: DriftReport

    func render() -> String {
        var cases: [String] = []
        var failures = 0
        for domain in report.domains {
            let items = report.items.filter { $0.domain == domain }
            let host = items.compactMap(\.host).first ?? "lab"
            cases.append(testCase(name: domain, className: "\(report.lab ?? "lab").\(host)", items: items))
            if !items.isEmpty { failures += 1 }
        }
        let other = report.items.filter { $0.domain == nil || !report.domains.contains($0.domain!) }
        cases.append(testCase(name: "hosts", className: "\(report.lab ?? "lab").hosts", items: other))
        if !other.isEmpty { failures += 1 }
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="xenplan drift" tests="\(cases.count)" failures="\(failures)">
          <testsuite name="\(Self.escape(report.lab ?? "lab"))" tests="\(cases.count)" failures="\(failures)">
        \(cases.joined(separator: "\n"))
          </testsuite>
        </testsuites>
        """
    }

    private func testCase(name: String, className: String, items: [DriftItem]) -> String {
        let head = "    <testcase name=\"\(Self.escape(name))\" classname=\"\(Self.escape(className))\""
        guard !items.isEmpty else { return head + "/>" }
        let summary = items.map { DriftText.title($0.kind) }.joined(separator: ", ")
        let body = items.map { "\(DriftText.title($0.kind)): \($0.message)" }.joined(separator: "\n")
        return head + ">\n      <failure message=\"\(Self.escape(summary))\" type=\"drift\">\(Self.escape(body))</failure>\n    </testcase>"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            // XML 1.0 has no way to carry other control characters.
            case _ where scalar.value < 0x20: out += "?"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
