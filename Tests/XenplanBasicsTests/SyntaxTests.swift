import Testing
import XenplanBasics

/// The character-level rules every manifest value and agent request meets before it can
/// reach a command line, a file name or a configuration line.
struct SyntaxTests {
    static let a63 = String(repeating: "a", count: 63)

    @Test(arguments: [
        ("a", true), ("1", true), ("cpt18", true), ("web-1.example", true), ("a-", true), ("a..b", true),
        (a63, true), (a63 + "a", false), ("", false), ("-web", false), (".web", false), ("Web", false),
        ("web_1", false), ("web 1", false), ("web/x", false), ("wéb", false), ("\u{430}", false),
    ])
    func names(_ text: String, _ accepted: Bool) {
        #expect(Syntax.isName(text) == accepted, "\(shownValue(text))")
    }

    @Test(arguments: [
        ("xenbr0", true), ("eth0.100", true), ("br_lan", true), ("A-1", true), ("abcdefghijklmno", true),
        ("abcdefghijklmnop", false), ("", false), ("-br", false), ("_br", false), ("br 0", false), ("br:0", false),
        ("br/0", false),
    ])
    func interfaceNames(_ text: String, _ accepted: Bool) {
        #expect(Syntax.isInterfaceName(text) == accepted, "\(shownValue(text))")
    }

    @Test(arguments: [
        ("vg18", true), ("VG_data+1.x-y", true), (".vg", true), (String(repeating: "v", count: 127), true),
        (String(repeating: "v", count: 128), false), ("", false), ("-vg", false), (".", false), ("..", false),
        ("vg/1", false), ("vg 1", false),
    ])
    func volumeGroups(_ text: String, _ accepted: Bool) {
        #expect(Syntax.isVolumeGroup(text) == accepted, "\(shownValue(text))")
    }

    @Test(arguments: [
        ("xvda", false, true), ("xvda1", false, true), ("xvdaa12", false, true), ("xvdabcdefghijkl", false, true),
        ("xvdabcdefghijklm", false, false), ("xvd", false, false), ("xvd1", false, false), ("xvdA", false, false),
        ("xvda1b", false, false), ("sda", false, false), ("hda", false, false), ("sda", true, true), ("hdb2", true, true),
        ("vda", true, false), ("", true, false),
    ])
    func virtualDevices(_ text: String, _ hvm: Bool, _ accepted: Bool) {
        #expect(Syntax.isVdev(text, hvm: hvm) == accepted, "\(text), hvm: \(hvm)")
    }

    @Test(arguments: [
        ("00:16:3e:aa:bb:01", "00:16:3e:aa:bb:01"), ("00:16:3E:AA:bb:01", "00:16:3e:aa:bb:01"),
        ("00:16:3e:aa:bb", nil), ("00:16:3e:aa:bb:1", nil), ("00:16:3e:aa:bb:001", nil), ("00-16-3e-aa-bb-01", nil),
        ("00:16:3e:aa:bb:0g", nil), ("00:16:3e:aa:bb:01:", nil), ("00:16:3e:aa:bb:\u{FF10}1", nil),
    ])
    func macAddresses(_ text: String, _ normalised: String?) {
        #expect(Syntax.normalisedMAC(text) == normalised, "\(shownValue(text))")
    }

    @Test func aMACWithAnOddFirstOctetIsMulticast() {
        #expect(Syntax.isMulticastMAC("01:00:5e:00:00:01"))
        #expect(Syntax.isMulticastMAC("ff:ff:ff:ff:ff:ff"))
        #expect(Syntax.isMulticastMAC("03:00:00:00:00:00"))
        #expect(!Syntax.isMulticastMAC("00:16:3e:00:00:01"))
        #expect(!Syntax.isMulticastMAC("02:00:00:00:00:01"))
    }

    @Test(arguments: [
        ("10.0.0.1", true), ("0.0.0.0", true), ("255.255.255.255", true), ("139.124.7.60", true),
        ("256.0.0.1", false), ("10.0.0", false), ("10.0.0.1.2", false), ("10..0.1", false), ("10.0.0.01", false),
        ("1000.0.0.1", false), (" 10.0.0.1", false), ("1e1.0.0.1", false), ("10.0.0.-1", false), ("", false),
    ])
    func ipv4Addresses(_ text: String, _ accepted: Bool) {
        #expect(Syntax.isIPv4(text) == accepted, "\(shownValue(text))")
    }

    @Test(
        arguments: [
            ("/srv/xen/debian12.img", nil), ("/a/./b", nil), ("/dev/vg18/www-root", nil),
            ("srv/a", .notAbsolute), ("/srv/../etc/shadow", .parentComponent), ("/", .root), ("//", .root),
            ("/srv/a b", .forbiddenCharacter(" ")), ("/srv/$HOME", .forbiddenCharacter("$")),
            ("/srv/a,b", .forbiddenCharacter(",")), ("/srv/é", .forbiddenCharacter("é")),
            ("a;b", .forbiddenCharacter(";")), ("/" + String(repeating: "a", count: 1024), .tooLong),
        ] as [(String, Syntax.PathProblem?)])
    func paths(_ text: String, _ problem: Syntax.PathProblem?) {
        #expect(Syntax.pathProblem(text) == problem, "\(shownValue(text))")
    }

    /// The line is written between double quotes in an `xl` configuration: no quote of
    /// any kind (a backtick included), no backslash, nothing outside printable ASCII.
    @Test(arguments: [
        ("root=/dev/xvda2 ro console=hvc0", true), ("", true), (String(repeating: "x", count: 1024), true),
        (String(repeating: "x", count: 1025), false), ("ro\" bootloader=\"/tmp/x", false), ("ro'", false),
        ("ro `reboot`", false), ("ro\\", false), ("ro\n", false), ("ro\t", false), ("ro\u{7f}", false), ("é", false),
    ])
    func kernelCommandLines(_ text: String, _ accepted: Bool) {
        #expect(Syntax.isCmdline(text) == accepted, "\(shownValue(text))")
    }

    @Test(arguments: [
        ("root", true), ("_svc", true), ("a.b-c_d", true), (String(repeating: "u", count: 32), true),
        (String(repeating: "u", count: 33), false), ("1root", false), ("Root", false), ("", false), ("-x", false),
        ("ro ot", false),
    ])
    func userNames(_ text: String, _ accepted: Bool) {
        #expect(Syntax.isUserName(text) == accepted, "\(shownValue(text))")
    }

    @Test(arguments: [
        ("dom0.example.org", true), ("10.0.0.1", true), ("Host-1", true), (String(repeating: "h", count: 253), true),
        (String(repeating: "h", count: 254), false), ("", false), ("-oProxyCommand=x", false), (".h", false),
        ("h_1", false), ("h 1", false), ("h:22", false),
    ])
    func hostNames(_ text: String, _ accepted: Bool) {
        #expect(Syntax.isHostName(text) == accepted, "\(shownValue(text))")
    }

    @Test(arguments: [
        ("web", "'web'"), ("a\nb\tc\rd", #"'a\nb\tc\rd'"#), ("it's", #"'it\'s'"#), (#"a\b"#, #"'a\\b'"#),
        ("wéb", #"'w\u{e9}b'"#), ("\u{430}", #"'\u{430}'"#), ("\u{1}\u{7f}", #"'\u{1}\u{7f}'"#),
        (String(repeating: "a", count: 48), "'" + String(repeating: "a", count: 48) + "'"),
        (String(repeating: "a", count: 49), "'" + String(repeating: "a", count: 48) + "…'"),
    ])
    func shownValues(_ text: String, _ shown: String) {
        #expect(shownValue(text) == shown)
    }

    @Test func aShorterLimitCutsSooner() {
        #expect(shownValue("abcdef", limit: 3) == "'abc…'")
    }
}
