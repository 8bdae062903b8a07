import Foundation
import Testing
import XenplanBasics

/// The one hash of xenplan: the same input gives the same value in every process and on
/// every machine, so plans, digests and derived identifiers never churn.
struct StableIdentityTests {
    /// FNV-1a's published 64-bit values.
    @Test(arguments: [
        ("", 0xcbf2_9ce4_8422_2325 as UInt64), ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x8594_4171_f739_67e8),
    ])
    func knownValues(_ text: String, _ hash: UInt64) {
        #expect(StableIdentity.hash(text) == hash)
        #expect(StableIdentity.hash(bytes: Array(text.utf8)) == hash)
        #expect(StableIdentity.hash(bytes: Data(text.utf8)) == hash)
    }

    @Test func hashingOnFromAHashIsHashingTheWhole() {
        #expect(StableIdentity.hash("bar", seed: StableIdentity.hash("foo")) == StableIdentity.hash("foobar"))
        #expect(StableIdentity.hash(bytes: [UInt8](), seed: 42) == 42)
        #expect(StableIdentity.offsetBasis == StableIdentity.hash(""))
    }

    @Test func aHashIsWrittenAsSixteenLowerCaseHexDigits() {
        #expect(StableIdentity.hex(0xab) == "00000000000000ab")
        #expect(StableIdentity.hex(0x8594_4171_f739_67e8) == "85944171f73967e8")
        #expect(StableIdentity.hex(.max) == "ffffffffffffffff")
        #expect(StableIdentity.hexDigits(0x1234, count: 2) == "34")
    }

    @Test func derivedIdentifiersArePinned() {
        #expect(StableIdentity.uuid("test/bare") == "4e7e69ce-4a0e-4d26-a057-58692ceea157")
        #expect(StableIdentity.xenMAC("test/bare/0") == "00:16:3e:2b:a3:01")
        #expect(StableIdentity.xenMAC("www") == "00:16:3e:3e:75:ec")
    }
}
