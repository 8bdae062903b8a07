import Manifest
import Testing
import XenplanBasics

/// Inputs built to hurt a parser, generated in memory (the committed fixtures hold the
/// classic ones). Each must end in one positioned diagnostic, not a hang or a crash.
struct HostileInputTests {
    func diagnostics(_ yaml: String, file: String = "h.yaml") -> [String] {
        diagnostics(Array(yaml.utf8), file: file)
    }

    func diagnostics(_ bytes: [UInt8], file: String = "h.yaml") -> [String] {
        do {
            _ = try ManifestLoader.load(files: [(file, bytes)])
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    /// A byte-order mark is accepted, and positions on the first line ignore it.
    @Test func aByteOrderMarkIsNoContent() {
        #expect(diagnostics([0xEF, 0xBB, 0xBF] + Array("lab: cpt\nformat: 1\n".utf8)) == [])
        #expect(
            diagnostics([0xEF, 0xBB, 0xBF] + Array("lab: cpt\nextra: 1\n".utf8)) == [
                "h.yaml:2:1: error: unknown key 'extra' in the manifest; valid keys are lab, format, defaults, sshKeys, storage, images, hosts, groups, domains, backups"
            ])
        #expect(diagnostics([0xEF, 0xBB, 0xBF] + Array("labb: cpt\n".utf8)).first?.hasPrefix("h.yaml:1:1: error: unknown key 'labb'") == true)
    }

    @Test func flowNestingJustPastTheLimit() {
        let yaml = "lab: [" + String(repeating: "[", count: 64) + String(repeating: "]", count: 65) + "\n"
        #expect(diagnostics(yaml) == ["h.yaml:1:69: error: nesting deeper than 64 levels; a manifest needs a handful"])
    }

    @Test func blockNestingDeeperThanTheLimit() {
        var yaml = ""
        for depth in 0..<200 { yaml += String(repeating: " ", count: depth) + "k\(depth):\n" }
        #expect(diagnostics(yaml) == ["h.yaml:65:65: error: nesting deeper than 64 levels; a manifest needs a handful"])
    }

    @Test func nestingAtTheLimitIsOnlyAnUnknownKey() {
        let yaml = "lab: cpt\nextra: " + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "\n"
        #expect(
            diagnostics(yaml) == [
                "h.yaml:2:1: error: unknown key 'extra' in the manifest; valid keys are lab, format, defaults, sshKeys, storage, images, hosts, groups, domains, backups"
            ])
    }

    @Test func aliasesOfMappingsMultiply() {
        var yaml = "a: &a {x: 1, y: 2, z: 3, w: 4, v: 5, u: 6, t: 7, s: 8, r: 9, q: 10}\n"
        for (previous, name) in zip("abcdefg", "bcdefgh") {
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        let result = diagnostics(yaml)
        #expect(result.count == 1)
        #expect(result.first?.hasSuffix("error: aliases expand to more than 1000000 nodes (a YAML alias bomb?)") == true)
    }

    @Test func anAliasAsAKeyIsRefused() {
        #expect(diagnostics("a: &k lab\n*k : cpt\n") == ["h.yaml:2:1: error: a mapping key must be a plain name, not a list, mapping or alias"])
    }

    @Test func aComplexKeyIsRefused() {
        #expect(diagnostics("? [a, b]\n: c\n") == ["h.yaml:1:3: error: a mapping key must be a plain name, not a list, mapping or alias"])
    }

    @Test func controlCharactersArePositioned() {
        #expect(diagnostics("lab: cpt\nhosts: {a\u{7}: {}}\n") == ["h.yaml:2:10: error: invalid YAML: control characters are not allowed"])
    }

    @Test func truncatedUTF8IsPositioned() {
        #expect(diagnostics(Array("lab: cpt\n# caf".utf8) + [0xC3]) == ["h.yaml:2:6: error: file is not valid UTF-8 (byte 0xC3); save it as UTF-8"])
    }

    @Test func overlongAndSurrogateEncodingsAreRefused() {
        #expect(diagnostics([0x6C, 0x3A, 0x20, 0xC0, 0xAF]).first?.contains("not valid UTF-8") == true)
        #expect(diagnostics([0x6C, 0x3A, 0x20, 0xED, 0xA0, 0x80]).first?.contains("not valid UTF-8") == true)
    }

    @Test func manyDuplicateKeysAreAllReported() {
        let yaml = "lab: cpt\n" + String(repeating: "lab: cpt\n", count: 3)
        #expect(diagnostics(yaml).count == 3, "one error (with its note) per repeated key")
    }

    @Test func aHugeScalarIsJustAWrongValue() {
        let yaml = "lab: " + String(repeating: "a", count: 1_000_000) + "\n"
        let result = diagnostics(yaml)
        #expect(result.count == 1)
        #expect(result.first?.contains("…' is not a valid name for the lab") == true)
    }

    @Test func terminalEscapesInNamesAreShownEscaped() {
        let result = diagnostics("lab: cpt\ndomains:\n  \"\\e[31mred\": {}\n")
        #expect(
            result == [
                "h.yaml:3:3: error: '\\u{1b}[31mred' is not a valid name for a domain: use 1 to 63 of a-z, 0-9, '.' and '-', starting with a letter or digit"
            ])
    }
}
