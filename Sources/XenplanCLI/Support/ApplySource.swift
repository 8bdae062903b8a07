import Executor
import Foundation
import HostModel
import Planner

/// What `xenplan apply` was given: a directory of manifests (plan now), or a saved plan
/// (check it is still current, then carry it out as it is).
enum ApplySource {
    case directory(String)
    case savedPlan(path: String, plan: Plan)

    /// A regular file is a saved plan; anything else is a manifest directory.
    static func resolve(_ argument: String) throws -> ApplySource {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue { return .savedPlan(path: argument, plan: try PlanFile.read(argument)) }
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

/// Messages of `apply` and `unlock`, next to nothing else so they read as one voice.
enum ApplyMessages {
    static func locked(_ held: HostLockHeld, unlockHint: String) -> UserFacingError {
        UserFacingError("\(held); wait for it or run `\(unlockHint)`")
    }

    static func takenOver(_ t: HostLocks.TakeOver) -> String {
        let p = t.previous
        return "warning: host \(t.host) was locked by \(p.user)@\(p.machine) pid \(p.pid) since \(p.time) (\(p.command)), "
            + "which no longer runs; the lock is taken over. Run `xenplan plan` afterwards if that apply was cut short."
    }

    static func noLocking(host: String) -> UserFacingError {
        UserFacingError("host \(host): its connection cannot take xenplan's apply lock, so apply will not change it")
    }

    static func unreachable(host: String, message: String) -> UserFacingError {
        UserFacingError("host \(host): cannot take the apply lock: \(message)")
    }

    static let needsTerminal = UserFacingError(
        "apply needs a confirmation and standard input is not a terminal; review the plan with `xenplan plan`, then run `xenplan apply --auto-approve` (or save it with `xenplan plan --out FILE` and apply that file)")

    static func stale(_ path: String, _ changes: [String], directory: String) -> UserFacingError {
        UserFacingError(changes.map { "stale plan: \($0)" }.joined(separator: "\nerror: ")
            + "\nNothing was changed. Make a new plan: `xenplan plan \(directory) --out \(path)`.")
    }

    static func alreadyApplied(_ path: String, run: JournalEntry) -> UserFacingError {
        UserFacingError("plan \(path) was already applied (run \(run.run) at \(run.time)); a saved plan is applied at most once. Make a new plan with `xenplan plan DIR --out FILE`.")
    }

    static func manifestsChanged(_ path: String, directory: String) -> UserFacingError {
        UserFacingError("plan \(path) was made from other manifests than those now in \(directory); nothing was changed. Make a new plan with `xenplan plan \(directory) --out \(path)`.")
    }

    static func planningFlagOnSavedPlan(_ flag: String) -> UserFacingError {
        UserFacingError("\(flag) shapes a new plan and has no effect on a saved one; give it to `xenplan plan --out`, or apply the directory")
    }
}
