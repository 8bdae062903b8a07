import Testing
import XenplanBasics

struct ByteSizeParseTests {
    @Test(arguments: [
        ("512", ByteSize.mib(512)),
        ("512M", .mib(512)),
        ("512MiB", .mib(512)),
        ("5G", .gib(5)),
        ("5GB", .gib(5)),
        ("1.5G", .mib(1536)),
        ("64K", ByteSize(kib: 64)),
        ("2T", .gib(2048)),
        ("1024T", ByteSize.maximum),
        ("0", .zero),
    ])
    func parses(_ text: String, _ expected: ByteSize) throws {
        #expect(try ByteSize.parse(text) == expected)
    }

    @Test(arguments: ["", "M", "abc", "5X", "-5G", "1..5G", "5 G", ".5G"])
    func refusesWhatIsNotASize(_ text: String) {
        #expect(throws: ByteSize.ParseError.self) { try ByteSize.parse(text) }
    }

    @Test(arguments: ["9999999T", "1025T", "12345678901234567890", "99999999999999999G", "1048577G"])
    func refusesWhatIsTooLarge(_ text: String) {
        #expect(throws: ByteSize.ParseError.tooLarge(text)) { try ByteSize.parse(text) }
    }
}
