import Planner

/// The JSON form of `xenplan drift`: versioned, with the counts precomputed for dashboards.
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
