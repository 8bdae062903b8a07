import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Manifest

/// Each pattern of the schema against the function it stands for, over every short
/// string of an alphabet chosen for the rule, strings made at random, and the edge cases
/// (longest, one too long). Exact patterns must agree both ways; the few that are wider
/// (`ManifestSchema.Pattern`'s documentation says which) must accept all the function
/// accepts.
struct SchemaPatternTests {
    typealias Pattern = ManifestSchema.Pattern
    let validator = try! SchemaValidator(schema: "{}")

    /// Every string of up to `length` symbols of `alphabet`, then `count` random ones of
    /// up to `longest` symbols, then `extra`.
    static func corpus(_ alphabet: [String], upTo length: Int, random count: Int = 2000, longest: Int = 40, extra: [String] = []) -> [String] {
        var strings = [""]
        var level = [""]
        for _ in 0..<length {
            level = level.flatMap { prefix in alphabet.map { prefix + $0 } }
            strings += level
        }
        var random = SeededRandom(seed: 20_261_202)
        for _ in 0..<count {
            strings.append((0..<random.int(1...longest)).map { _ in random.pick(alphabet)! }.joined())
        }
        return strings + extra
    }

    /// The strings on which `pattern` and `rule` disagree (exact), or which `rule`
    /// accepts and `pattern` refuses (wider).
    func disagreements(_ pattern: String, _ rule: (String) -> Bool, on corpus: [String], exact: Bool = true) -> [String] {
        corpus.filter { text in
            let matched = validator.matches(text, pattern)
            return exact ? matched != rule(text) : rule(text) && !matched
        }
    }

    @Test func theMatcherReadsPatternsAsJSONSchemaDoes() {
        // Unanchored search; `$` at the very end only, not before a final line break.
        #expect(validator.matches("xabcx", "abc"))
        #expect(!validator.matches("abc\n", "^abc$"))
        #expect(!validator.matches("a\u{301}", "^[a-z]$"))
    }

    @Test func names() {
        let alphabet = ["a", "z", "0", "9", ".", "-", "A", "_", " ", "/", "\n", "\u{430}"]
        let corpus = Self.corpus(alphabet, upTo: 3, longest: 70) + [String(repeating: "a", count: 63), String(repeating: "a", count: 64)]
        #expect(disagreements(Pattern.name, Syntax.isName, on: corpus) == [])
        let bridges = Self.corpus(["a", "0", ".", "-"], upTo: 2, longest: 20)
        #expect(disagreements(Pattern.bridgeName, { Syntax.isName($0) && $0.utf8.count <= 15 }, on: bridges) == [])
    }

    @Test func reservedDomainNames() {
        let corpus = Self.corpus(["a", "-", "incoming", "migratedaway", "domain", "0"], upTo: 4, random: 500).filter(Syntax.isName)
        #expect(disagreements(Pattern.reservedDomainName, { Syntax.reservedDomainName($0) != nil }, on: corpus) == [])
    }

    @Test func interfacesAndVolumeGroups() {
        let alphabet = ["a", "Z", "0", ".", "_", "-", "+", " ", "/"]
        let corpus = Self.corpus(alphabet, upTo: 3, longest: 130) + [String(repeating: "a", count: 127), String(repeating: "a", count: 128)]
        #expect(disagreements(Pattern.interfaceName, Syntax.isInterfaceName, on: corpus) == [])
        #expect(disagreements(Pattern.volumeGroup, Syntax.isVolumeGroup, on: corpus) == [])
    }

    @Test func vdevs() {
        let corpus = Self.corpus(["xvd", "sd", "hd", "v", "a", "z", "1", "0", "/"], upTo: 4, longest: 8)
        #expect(disagreements(Pattern.vdev, { Syntax.isVdev($0, hvm: true) }, on: corpus) == [])
    }

    @Test func addresses() {
        let macs = Self.corpus(["0", "1", "a", "F", "g", ":", "00:", "fe:", "16:3e:"], upTo: 4, longest: 12)
        #expect(disagreements(Pattern.mac, { Syntax.normalisedMAC($0).map { !Syntax.isMulticastMAC($0) } ?? false }, on: macs) == [])
        let quads = Self.corpus(["0", "1", "2", "5", "9", ".", "25", "255.", "192.", "01"], upTo: 4, longest: 12)
        #expect(disagreements(Pattern.ipv4, Syntax.isIPv4, on: quads) == [])
        let masks = (0...32).map { Syntax.ipv4Text(Syntax.networkMask(prefix: $0)) } + quads + ["255.0.255.0", "255.255.255.1"]
        #expect(disagreements(Pattern.netmask, { Syntax.prefixLength(netmask: $0) != nil }, on: masks) == [])
    }

    @Test func paths() {
        let alphabet = ["/", "a", ".", "..", "-", "$", " ", ";", "~", "\n", "é"]
        let corpus =
            Self.corpus(alphabet, upTo: 4, longest: 12) + ["/" + String(repeating: "a", count: 1023), "/" + String(repeating: "a", count: 1024)]
        #expect(disagreements(Pattern.path, { Syntax.pathProblem($0) == nil }, on: corpus) == [])
        // The decoder's rule for an image's path in a pool (`decodeImagePath`).
        let relative: (String) -> Bool = { path in
            Syntax.pathProblem(path) == .notAbsolute && Syntax.pathProblem("/" + path) == nil
                && !path.split(separator: "/").allSatisfy { $0 == "." }
        }
        #expect(disagreements(Pattern.relativePath, relative, on: corpus + [String(repeating: "a", count: 1024)]) == [])
    }

    @Test func commandLines() {
        let corpus = Self.corpus(["a", " ", "=", "/", "\"", "'", "`", "\\", "\t", "~", "é"], upTo: 3) + [String(repeating: "a", count: 1025)]
        #expect(disagreements(Pattern.cmdline, Syntax.isCmdline, on: corpus) == [])
    }

    @Test func hostnames() {
        let label = String(repeating: "a", count: 63)
        let extra = [label, label + "a", [label, label, label, String(repeating: "a", count: 61)].joined(separator: "."), "192.0.2.1", "192.0.2.1a"]
        let corpus = Self.corpus(["a", "Z", "0", "1", "-", ".", "_", "2.0"], upTo: 4, longest: 20, extra: extra)
        #expect(disagreements(Pattern.hostname, Syntax.isGuestHostName, on: corpus) == [])
    }

    @Test func passwordHashes() {
        let corpus = Self.corpus(["$", "6", "y", "sha1", "2b", "7", "a", ".", "/", " ", "!"], upTo: 4, random: 4000, longest: 12)
        #expect(disagreements(Pattern.passwordHash, Syntax.isPasswordHash, on: corpus) == [])
    }

    /// Wider: whether the base64 decodes, and to the key's own type, is not a pattern's.
    @Test func sshKeys() {
        let keys = [ImageLabTests.alice, ImageLabTests.admin, ImageLabTests.bob]
        #expect(disagreements(Pattern.sshKey, { Syntax.sshKeyProblem($0) == nil }, on: keys, exact: false) == [])
        for key in keys { #expect(Syntax.sshKeyProblem(key) == nil) }
        for refused in [
            "ssh-ed25519", "ssh-ed25519 ", "ssh-dss AAAA", "from=\"x\" ssh-ed25519 AAAA", "ssh-ed25519 AAAA\nssh-rsa AAAA", "ssh-ed25519  AAAA",
        ] {
            #expect(!validator.matches(refused, Pattern.sshKey), "\(refused)")
        }
    }

    /// Wider: a pattern cannot count up to 1 PiB.
    @Test func sizes() {
        let corpus = Self.corpus(["1", "0", ".", "5", "K", "m", "G", "t", "B", "iB", "b", "P", " "], upTo: 4, longest: 8)
        var refusedSyntax: [String] = []
        for text in corpus {
            do {
                _ = try ByteSize.parse(text)
                if !validator.matches(text, Pattern.size) { refusedSyntax.append(text) }
            } catch .tooLarge {
                continue
            } catch {
                if validator.matches(text, Pattern.size) { refusedSyntax.append(text) }
            }
        }
        #expect(refusedSyntax == [])
    }

    @Test func connections() {
        let extra = [
            "ssh://root@cpt76.example.org:2222", "ssh://[2001:db8::1]:22", "ssh://[::1]", "ssh://h:00080", "ssh://h:000080", "ssh://h:65535",
            "ssh://h:65536", "ssh://h:0", "ssh://h:", "ssh://-oProxyCommand=reboot", "ssh://_a@h", "ssh://1a@h",
            "ssh://" + String(repeating: "a", count: 253),
            "ssh://" + String(repeating: "a", count: 254), "ssh://a@b@c",
        ]
        let corpus = Self.corpus(
            ["ssh://", "sim", "local", "r", "@", "h", ".", "-", ":", "2", "0", "[", "]"], upTo: 4, random: 4000, longest: 8, extra: extra)
        #expect(disagreements(Pattern.connection, { ManifestDecoder.parseConnection($0) != nil }, on: corpus) == [])
    }
}
