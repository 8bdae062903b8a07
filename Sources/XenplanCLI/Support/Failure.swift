import ArgumentParser
import XenplanBasics

/// Every error a command can end with, mapped to one message and exit code in one
/// place, so no stack trace or bare errno ever reaches the user.
enum Failure {
    /// Prints the error and returns the exit code to end with.
    static func report(_ error: any Error) -> ExitCode {
        switch error {
        case let error as DiagnosticsError:
            printDiagnostics(error.diagnostics)
        case let error as ExitCode:
            return error
        case let error as CleanExit:
            _ = error
            return .success
        case let error as UserFacingError:
            Console.err("error: \(error.message)")
        default:
            Console.err("error: \(error)")
        }
        return .failure
    }

    /// Compiler-style diagnostics, then a count line: `3 errors in 2 files.`
    static func printDiagnostics(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics.sortedByLocation() {
            Console.err(diagnostic.description)
        }
        let errors = diagnostics.errors
        let files = Set(errors.compactMap { $0.location?.file })
        let noun = errors.count == 1 ? "error" : "errors"
        if files.isEmpty {
            Console.err("\(errors.count) \(noun).")
        } else {
            Console.err("\(errors.count) \(noun) in \(files.count) \(files.count == 1 ? "file" : "files").")
        }
    }
}

extension AsyncParsableCommand {
    /// Runs a command body, turning any error into its message and exit code.
    func guarded(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            throw Failure.report(error)
        }
    }
}
