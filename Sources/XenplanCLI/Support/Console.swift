import Foundation

/// Where the CLI writes: stdout for results, stderr for diagnostics and progress.
/// Colour only on a terminal and never when NO_COLOR is set (no-color.org).
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    static var colorEnabled: Bool {
        colorEnabled(environment: ProcessInfo.processInfo.environment, isTerminal: stdoutIsTerminal)
    }

    static func colorEnabled(environment: [String: String], isTerminal: Bool) -> Bool {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isTerminal
    }
}

/// ANSI styling that disappears when colour is off.
struct Style {
    var enabled: Bool

    static var current: Style { Style(enabled: Console.colorEnabled) }

    func apply(_ code: String, _ text: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
    func green(_ s: String) -> String { apply("32", s) }
    func yellow(_ s: String) -> String { apply("33", s) }
    func red(_ s: String) -> String { apply("31", s) }
    func cyan(_ s: String) -> String { apply("36", s) }
    func bold(_ s: String) -> String { apply("1", s) }
    func dim(_ s: String) -> String { apply("2", s) }
}
