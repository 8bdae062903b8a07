import Testing

@testable import XenplanCLI

@Suite struct ConsoleTests {
    @Test(
        arguments: [
            ([:], true, true),
            ([:], false, false),
            (["NO_COLOR": "1"], true, false),
            (["NO_COLOR": ""], true, true),
            (["TERM": "dumb"], true, false),
        ] as [([String: String], Bool, Bool)])
    func colourOnlyOnATerminalWithoutNoColor(_ environment: [String: String], _ terminal: Bool, _ expected: Bool) {
        #expect(Console.colorEnabled(environment: environment, isTerminal: terminal) == expected)
    }

    @Test func styleWithoutColourLeavesTextAlone() {
        #expect(Style(enabled: false).red("x") == "x")
        #expect(Style(enabled: true).red("x") == "\u{1B}[31mx\u{1B}[0m")
    }
}
