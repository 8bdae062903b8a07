import Planner

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
