import Executor
import FoundationEssentials
import HostModel
import Planner
import XenplanBasics

/// What `xenplan apply` was given: a directory of manifests (plan now), or a saved plan
/// (check it is still current, then carry it out as it is).
enum ApplySource {
    case directory(String)
    case savedPlan(path: String, plan: Plan)

    /// A regular file is a saved plan; anything else is a manifest directory.
    static func resolve(_ argument: String) throws -> ApplySource {
        if let kind = PathKind.of(argument), kind != .directory { return .savedPlan(path: argument, plan: try PlanFile.read(argument)) }
        return .directory(argument)
    }

    /// The manifest directory whose hosts the apply contacts.
    var manifestDirectory: String {
        switch self {
        case let .directory(d): return d
        case let .savedPlan(_, plan): return plan.manifestDirectory ?? "."
        }
    }
}
