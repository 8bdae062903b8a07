import Planner

/// Shapes of failure the properties found in the planner, recognised narrowly so that the
/// suite goes on finding new ones; each has a disabled test in `PropertyFindingsTests`,
/// and `XENPLAN_PROPERTY_STRICT=1` turns the allowances off.
enum KnownGap {
    /// The apply started a domain on one host (a crashed guest cleared and started where
    /// it crashed), and the next plan only migrates it from there to its declared host.
    static func startedAwayFromDeclaredHost(applied: Plan?, next: Plan) -> Bool {
        guard let applied, !next.actions.isEmpty else { return false }
        let started = Set(applied.actions.filter { $0.kind == .start }.map { "\($0.domain ?? "")@\($0.host)" })
        let moving = Set(next.actions.filter { $0.kind == .migrate }.compactMap(\.domain))
        return next.actions.allSatisfy { action in
            guard let d = action.domain, moving.contains(d) else { return false }
            switch action.kind {
            case .migrate: return started.contains("\(d)@\(action.host)")
            case .writeConfig: return true
            default: return false
            }
        }
    }

    /// The apply rewrote a stopped domain's configuration off a volume, and the next plan
    /// only removes such volumes (with `--allow-data-loss`).
    static func volumeLeftByRewrittenConfig(applied: Plan?, next: Plan) -> Bool {
        guard let applied, !next.actions.isEmpty else { return false }
        let rewritten = applied.actions.filter { $0.kind == .writeConfig }.compactMap(\.domain)
        return next.actions.allSatisfy { action in
            guard action.kind == .removeVolume, case let .removeVolume(_, name)? = action.operations.first else { return false }
            return rewritten.contains { name.hasPrefix("\($0)-") }
        }
    }
}
