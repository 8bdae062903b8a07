/// An argument vector shown to a person: one line they can read and paste into a POSIX
/// shell. Only for display (`console --print-command`, `--verbose`): xenplan itself never
/// hands a command to a shell.
public enum CommandLineText {
    /// Each word quoted when it needs to be, then anything a terminal would act on escaped.
    public static func displayed(_ argv: [String]) -> String {
        TerminalText.escaped(argv.map(word).joined(separator: " "))
    }

    /// `word` as is when it holds only characters no shell gives a meaning, else in single
    /// quotes (a quote inside closed, escaped and reopened).
    public static func word(_ word: String) -> String {
        let plain =
            !word.isEmpty
            && word.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "@%+=:,./_-".unicodeScalars.contains($0)
            }
        return plain ? word : "'" + word.replacing("'", with: "'\\''") + "'"
    }
}
