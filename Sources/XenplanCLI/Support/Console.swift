import FoundationEssentials
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the CLI writes: stdout for results, stderr for diagnostics and progress.
/// Colour only on a terminal and never when NO_COLOR is set (no-color.org).
enum Console {
    static func out(_ text: String) {
        _ = writeFully(1, Data((text + "\n").utf8))
    }

    static func err(_ text: String) {
        _ = writeFully(2, Data((text + "\n").utf8))
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// For what goes to standard output.
    static var colorEnabled: Bool {
        colorEnabled(environment: ProcessInfo.processInfo.environment, isTerminal: stdoutIsTerminal)
    }

    /// For what goes to standard error (progress, warnings): decided by standard error's
    /// own terminal check, so `apply 2> log` keeps escape sequences out of the log even
    /// when standard output is a terminal, and the other way round.
    static var stderrColorEnabled: Bool {
        colorEnabled(environment: ProcessInfo.processInfo.environment, isTerminal: stderrIsTerminal)
    }

    static func colorEnabled(environment: [String: String], isTerminal: Bool) -> Bool {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isTerminal
    }
}
