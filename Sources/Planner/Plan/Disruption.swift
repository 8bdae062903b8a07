/// How much an action disturbs a running guest, from nothing to losing data. Ordered, so
/// that `--max-disruption CLASS` is a comparison.
public enum Disruption: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
    case none
    case live
    case pause
    case restart
    case destroy
    case dataLoss = "data-loss"

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Disruption, b: Disruption) -> Bool { a.rank < b.rank }
}
