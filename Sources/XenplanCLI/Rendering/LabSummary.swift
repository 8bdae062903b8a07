import Manifest

/// `examples/lab: 2 hosts, 15 domains, 3 pools, 3 groups — valid`
struct LabSummary {
    var lab: Lab
    init(_ lab: Lab) { self.lab = lab }

    func line(for directory: String) -> String {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        let parts = [
            count(lab.hosts.count, "host"), count(lab.domains.count, "domain"),
            count(lab.pools.count, "pool"), count(lab.groups.count, "group"),
        ]
        return "\(directory): \(parts.joined(separator: ", ")) — valid"
    }
}
