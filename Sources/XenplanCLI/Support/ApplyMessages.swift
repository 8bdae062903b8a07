import Executor

/// Messages of `apply` and `unlock`, next to nothing else so they read as one voice.
enum ApplyMessages {
    static let needsTerminal = UserFacingError(
        "apply needs a confirmation and standard input is not a terminal; review the plan with `xenplan plan`, then run `xenplan apply --auto-approve` (or save it with `xenplan plan --out FILE` and apply that file)"
    )

    static func planningFlagOnSavedPlan(_ flag: String) -> UserFacingError {
        UserFacingError("\(flag) shapes a new plan and has no effect on a saved one; give it to `xenplan plan --out`, or apply the directory")
    }

    /// An apply that stopped before changing anything, with what to do next.
    static func failure(_ failure: ApplyFailure, source: ApplySource, state: StateOptions) -> UserFacingError {
        let directory = source.manifestDirectory
        var replan = "xenplan plan \(directory) --out FILE"
        if case let .savedPlan(path, _) = source { replan = "xenplan plan \(directory) --out \(path)" }
        switch failure {
        case .locked(let held):
            return UserFacingError(
                "\(failure); wait for it (`--lock-timeout SECONDS`) or run `\(unlockHint(held.host, directory: directory, state: state))`")
        case .alreadyApplied, .manifestsChanged, .stale, .differs:
            var text = failure.description
            if case .savedPlan(let path, _) = source, text.hasPrefix("the plan ") { text = "plan \(path) " + text.dropFirst("the plan ".count) }
            return UserFacingError(text + (text.hasSuffix(".") ? " " : ". ") + "Make a new plan: `\(replan)`.")
        default:
            return UserFacingError(failure.description)
        }
    }

    /// `xenplan unlock cpt18 examples/lab --state-dir S`, with only the parts that differ
    /// from the defaults.
    static func unlockHint(_ host: String, directory: String, state: StateOptions) -> String {
        var parts = ["xenplan", "unlock", host]
        if directory != "." { parts.append(directory) }
        if let dir = state.stateDir { parts += ["--state-dir", dir] }
        return parts.joined(separator: " ")
    }
}
