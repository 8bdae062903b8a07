/// Text that came from outside xenplan (a host's answer, a tool's message, a name a host
/// reported) made safe to print: a terminal acts on control characters, so an escape
/// sequence in a domain name or in `xl`'s stderr could clear the screen, retitle the
/// window or forge a line of xenplan's own output. This is applied where such text enters
/// (the agent client, the command runner, the observed state), so that everything after
/// it, rendering included, only ever holds printable text.
public enum TerminalText {
    /// Escapes every C0 control (U+0000–U+001F), DEL (U+007F), every C1 control
    /// (U+0080–U+009F) and the Unicode controls that reorder or break lines on a terminal
    /// (U+2028, U+2029, the bidirectional embeddings, overrides and isolates) as `\u{…}`.
    /// With `multiline`, a newline and a tab are kept, and `\r\n` becomes `\n` (a tool's
    /// multi-line message); a lone `\r`, which would let a later line overwrite an
    /// earlier one, is always escaped. Text with nothing to escape is returned as it is.
    public static func escaped(_ text: String, multiline: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if multiline {
                if scalar == "\n" || scalar == "\t" { out.append(scalar); continue }
                if scalar == "\r", index < scalars.count, scalars[index] == "\n" { continue }
            }
            if needsEscape(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether `text` holds anything `escaped` would change in its single-line form.
    public static func isPrintable(_ text: String) -> Bool {
        !text.unicodeScalars.contains(where: needsEscape)
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: return true
        default: return false
        }
    }
}
