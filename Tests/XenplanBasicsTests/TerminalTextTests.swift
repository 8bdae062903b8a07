import Testing
import XenplanBasics

/// Text from hosts and tools reaches the terminal only with its control characters escaped.
struct TerminalTextTests {
    @Test(arguments: [
        ("ldap", "ldap"),
        ("\u{1b}[2J\u{1b}[HApply complete", #"\u{1b}[2J\u{1b}[HApply complete"#),
        ("\u{1b}]0;owned\u{07}", #"\u{1b}]0;owned\u{7}"#),
        ("a\u{9b}31mb", #"a\u{9b}31mb"#),
        ("del\u{7f}", #"del\u{7f}"#),
        ("nul\u{0}", #"nul\u{0}"#),
        ("two\nlines", #"two\u{a}lines"#),
        ("tab\there", #"tab\u{9}here"#),
        ("over\rwrite", #"over\u{d}write"#),
        ("rtl\u{202e}gnp.exe", #"rtl\u{202e}gnp.exe"#),
        ("isolate\u{2066}x\u{2069}", #"isolate\u{2066}x\u{2069}"#),
        ("line\u{2028}sep", #"line\u{2028}sep"#),
        ("café – ünïcode", "café – ünïcode"),
    ])
    func singleLine(_ text: String, _ expected: String) {
        #expect(TerminalText.escaped(text) == expected)
        #expect(TerminalText.isPrintable(expected))
    }

    @Test(arguments: [
        ("libxl: error: domain not found\nxl: cannot mem-set", "libxl: error: domain not found\nxl: cannot mem-set"),
        ("windows\r\nline", "windows\nline"),
        ("cr\ronly", #"cr\u{d}only"#),
        ("col\tumn", "col\tumn"),
        ("\u{1b}[31mred\u{1b}[0m\n", #"\u{1b}[31mred\u{1b}[0m"# + "\n"),
    ])
    func multiline(_ text: String, _ expected: String) {
        #expect(TerminalText.escaped(text, multiline: true) == expected)
    }
}
