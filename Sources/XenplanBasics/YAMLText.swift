/// Text written as YAML for another program to read back: the manifests `xenplan import`
/// writes, the files of a cloud-init seed.
public enum YAMLText {
    /// A double-quoted scalar. A quote, a backslash, a control character or a character
    /// YAML reads as a line break (NEL, LS, PS) or a byte order mark is escaped, so that no
    /// value can end its scalar early or start another key.
    public static func doubleQuoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x00...0x1F, 0x7F...0x9F: out += "\\x" + hex(scalar.value, digits: 2)
            case 0x2028, 0x2029, 0xFEFF: out += "\\u" + hex(scalar.value, digits: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
