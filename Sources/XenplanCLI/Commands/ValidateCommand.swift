import ArgumentParser
import FoundationEssentials
import Manifest
import XenplanBasics

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Load and check the manifests; print every problem with file:line:column. No host is contacted."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "Directory of *.yaml / *.yml manifests (default: current directory).")
    var directory: String = "."

    @Option(help: "text (default), or json: every diagnostic with file, line, column, severity and notes, for editors and CI annotations.")
    var format: Format = .text

    func run() async throws {
        if format == .json {
            let report = ValidationReport(directory: directory)
            Console.out(try report.json())
            if !report.valid { throw ExitCode.failure }
            return
        }
        try await guarded {
            let loaded = try ManifestLoader.load(directory: directory)
            for warning in loaded.warnings.sortedByLocation() { Console.err(warning.description) }
            Console.out(LabSummary(loaded.lab).line(for: directory))
        }
    }
}

/// `validate --format json`: `{"format": 1, "valid": …, "summary": …, "diagnostics": […]}`,
/// each diagnostic as `Diagnostic` encodes it (severity, message, location with file, line
/// and column, notes).
struct ValidationReport: Encodable {
    var format = 1
    var valid: Bool
    /// `examples/lab: 2 hosts, 15 domains, 3 pools, 3 groups — valid`; absent when invalid.
    var summary: String?
    var diagnostics: [Diagnostic]

    init(directory: String) {
        do {
            let loaded = try ManifestLoader.load(directory: directory)
            valid = true
            summary = LabSummary(loaded.lab).line(for: directory)
            diagnostics = loaded.warnings.sortedByLocation()
        } catch {
            valid = false
            diagnostics = error.diagnostics.sortedByLocation()
        }
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
