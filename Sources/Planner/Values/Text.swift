import HostModel

/// Wording shared by summaries and notices.
enum Text {
    static func vcpus(_ n: Int) -> String { n == 1 ? "1 vCPU" : "\(n) vCPUs" }
    static func boot(_ b: DomainConfig.Boot) -> String {
        switch b {
        case .pygrub: return "pygrub"
        case let .kernel(kernel, _, _): return "kernel \(kernel)"
        }
    }

    /// `a`, `a and b`, `a, b and c`.
    static func conjunction(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
    }
}
