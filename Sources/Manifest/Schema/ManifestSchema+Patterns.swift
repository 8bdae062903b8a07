import XenplanBasics

/// The character-level rules of `Syntax` and of the decoder as regular expressions, in
/// the dialect JSON Schema uses (ECMA-262, Unicode mode): anchored, with the hyphen of a
/// class escaped or last. `SchemaPatternTests` holds each to the function it stands for,
/// over many strings, so that neither can change alone. Where a rule cannot be written
/// as a pattern (an ssh key's type inside its base64), the pattern is wider, never
/// narrower: an editor must not flag what `xenplan validate` accepts.
extension ManifestSchema {
    enum Pattern {
        /// `Syntax.isName`.
        static let name = namePattern(maximumLength: 63)
        /// `Syntax.isName` and at most `ManifestDecoder.maximumBridgeNameLength` bytes.
        static let bridgeName = namePattern(maximumLength: ManifestDecoder.maximumBridgeNameLength)
        /// What `Syntax.reservedDomainName` refuses among valid names: the suffixes of
        /// `xl migrate`'s copies, and dom0's own name.
        static let reservedDomainName =
            "(" + Syntax.migrationSuffixes.map(escaped).joined(separator: "|") + ")$|^domain-0$"
        /// `Syntax.isInterfaceName`.
        static let interfaceName = "^[a-zA-Z0-9][a-zA-Z0-9._-]{0,14}$"
        /// `Syntax.isVifName`: an interface name that is not Xen's own `vifD.N`.
        static let vifName = "^(?!vif[0-9])[a-zA-Z0-9][a-zA-Z0-9._-]{0,14}$"
        /// `Syntax.isVifRate`: 1 to `Syntax.maximumVifRateAmount`, a unit, `/s`.
        static let vifRate = "^([1-9][0-9]{0,4}|100000)(" + Syntax.vifRateUnits.joined(separator: "|") + ")/s$"
        /// `Syntax.isVolumeGroup`.
        static let volumeGroup = "^(?!-)(?!\\.\\.?$)[A-Za-z0-9+_.-]{1,127}$"
        /// `Syntax.isVdev` for an HVM guest, the widest: whether `sd…`/`hd…` are allowed
        /// depends on the domain's type, which may come from `defaults`.
        static let vdev = "^(?=.{0,15}$)(xvd|sd|hd)[a-z]+[0-9]*$"
        /// `Syntax.normalisedMAC`, unicast (`Syntax.isMulticastMAC` false: even first octet).
        static let mac = "^[0-9A-Fa-f][02468ACEace](:[0-9A-Fa-f]{2}){5}$"
        /// `Syntax.isIPv4`: no leading zeros.
        static let ipv4 = "^" + dottedQuad + "$"
        /// `Syntax.prefixLength(netmask:)` not nil: the 33 masks, listed.
        static let netmask =
            "^(" + (0...32).reversed().map { escaped(Syntax.ipv4Text(Syntax.networkMask(prefix: $0))) }.joined(separator: "|") + ")$"
        /// `Syntax.pathProblem` nil: absolute, no `..` component, not `/` alone, at most
        /// 1024 bytes of the characters `Syntax` allows.
        static let path = "^(?=.{1,1024}$)(?!.*/\\.\\.(/|$))(?=.*[^/])/" + pathCharacters + "*$"
        /// An image's path relative to its pool's directory: what `path` accepts once
        /// `/` is put in front, other than the directory itself (`.`, `./`).
        static let relativePath = "^(?=.{1,1023}$)(?!/)(?!(.*/)?\\.\\.(/|$))(?!(\\.?/)*\\.?$)" + pathCharacters + "+$"
        /// `Syntax.isCmdline`.
        static let cmdline = "^" + characterClass(Array(0x20...0x7e).filter { Syntax.isCmdline(String(UnicodeScalar(UInt8($0)))) }) + "{0,1024}$"
        /// `ImageSpec.sha256` as written: what `sha256sum` prints, either case.
        static let sha256 = "^[0-9A-Fa-f]{64}$"
        /// `Syntax.isGuestHostName`.
        static let hostname = "^(?!" + dottedQuad + "$)(?=.{1,253}$)" + label + "(\\." + label + ")*$"
        /// `Syntax.isPasswordHash`.
        static let passwordHash =
            "^(?=.{1,\(Syntax.maximumPasswordHashLength)}$)\\$(" + Syntax.passwordHashSchemes.map(escaped).joined(separator: "|")
            + ")\\$[A-Za-z0-9./$=,-]*\\$[A-Za-z0-9./=,-]+$"
        /// `Syntax.sshKeyProblem` nil, except that the base64 is not decoded: a known type,
        /// one space, base64, then optionally a space and a comment of printable ASCII.
        static let sshKey =
            "^(?=[ -~]{1,\(Syntax.maximumSSHKeyLength)}$)(" + Syntax.sshKeyTypes.map(escaped).joined(separator: "|")
            + ") [A-Za-z0-9+/]+={0,2}( [ -~]*)?$"
        /// `ByteSize.parse` without its upper limit (1 PiB), which a pattern cannot count:
        /// a number of at most 16 digits, an optional fraction, unit and `iB`/`B`.
        static let size = "^[0-9]{1,16}(\\.[0-9]+)?[KkMmGgTt]?(i?B)?$"
        /// `NodeReader.int` on text (a quoted number): the range is checked on numbers only.
        static let integerText = "^[+-]?[0-9]{1,18}$"
        /// `ManifestDecoder.parseConnection`.
        static let connection =
            "^(sim|local|ssh://([a-z_][a-z0-9_.-]{0,31}@)?([A-Za-z0-9][A-Za-z0-9.-]{0,252}|\\[[0-9A-Fa-f:.]{1,45}\\])" + port + "?)$"

        static func namePattern(maximumLength: Int) -> String { "^[a-z0-9][a-z0-9.-]{0,\(maximumLength - 1)}$" }

        /// 0–255 without leading zeros, four times.
        private static let octet = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
        private static let dottedQuad = "(" + octet + "\\.){3}" + octet
        /// One label of a host name: 1–63 characters, no `-` at either end.
        private static let label = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
        /// `:PORT` in `ManifestDecoder.sshPortRange`, at most five digits, leading zeros allowed.
        private static let port =
            "(:(?=[0-9]{1,5}$)0*([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))"
        /// The printable ASCII characters `Syntax.pathProblem` allows, `/` among them.
        private static let pathCharacters = characterClass(
            Array(0x21...0x7e).filter { $0 == 0x2f || Syntax.pathProblem("/" + String(UnicodeScalar(UInt8($0)))) == nil })

        /// `[…]` of the given ASCII codes, each escaped where a class would read it.
        private static func characterClass(_ codes: [Int]) -> String {
            "["
                + codes.map { code in
                    let character = String(UnicodeScalar(UInt8(code)))
                    return "\\]^-[".contains(character) ? "\\" + character : character
                }.joined() + "]"
        }

        /// `text` matched literally.
        static func escaped(_ text: String) -> String {
            text.map { "\\^$.|?*+()[]{}".contains($0) ? "\\" + String($0) : String($0) }.joined()
        }
    }
}
