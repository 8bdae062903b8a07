import Executor
import FoundationEssentials
import Planner

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Carries out one apply-shaped run (`apply`, `backup`, `restore`) from the command line:
/// the interrupt handling (before execution an interrupt ends at once, during it the
/// first lets running actions finish), then the summary as text or JSON. Returns whether
/// everything meant to run did.
struct ApplyRunner {
    var request: ApplyRequest
    var delegate: ApplyConsole
    var json: Bool
    var directory: String
    var style: Style
    /// What to say when there is nothing to run.
    var nothingToDo: String = "No changes. Nothing to apply."
    /// The command's word in the cancellation message (`apply cancelled`).
    var verb: String = "apply"

    func run(failure: (ApplyFailure) -> UserFacingError) async throws -> Bool {
        let stop = StopRequest()
        let operation = ApplyOperation(request, delegate: delegate, observer: delegate, stop: stop)

        let interruption = Interruption()
        interruption.onInterrupt { count in
            // While the locks are taken, the operation gives them back itself and stops.
            if operation.isTakingLocks {
                _ = stop.request()
                return
            }
            // Before anything runs, an interrupt ends the run at once; its locks go with it.
            guard operation.isExecuting else {
                Console.err("Interrupted; nothing was changed.")
                operation.releaseLocksNow()
                Glibc.exit(1)
            }
            if count == 1 && stop.request() {
                Console.err("Interrupted: running actions finish, nothing new starts (interrupt again to abandon them).")
            } else {
                Console.err("Interrupted again: abandoning running actions; `xenplan plan` shows what is left.")
                operation.releaseLocksNow()
                Glibc.exit(1)
            }
        }

        let outcome: ApplyOutcome
        do {
            outcome = try await operation.run()
        } catch {
            throw failure(error)
        }
        switch outcome {
        case let .nothingToDo(review):
            if json {
                ProgressJSON.line(.summary(SummaryEvent(nothingRun: ApplyConsole.excluded(review))))
            } else {
                Console.out(review.exclusions.isEmpty ? nothingToDo : "Nothing to apply within the limits given.")
            }
            return true
        case .cancelled:
            if !Console.stdinIsTerminal { throw ApplyMessages.needsTerminal }
            throw UserFacingError("\(verb) cancelled; nothing was changed")
        case let .executed(_, report):
            if json {
                ProgressJSON.line(.summary(SummaryEvent(report)))
            } else {
                Console.out(ProgressText.summary(report, directory: directory, style: style))
            }
            return report.succeeded
        }
    }
}
