/// A stable fingerprint of a set of manifest files: FNV-1a (64 bits) over each file's
/// name (its last path component, so the directory it was loaded from does not matter),
/// its length and its bytes, in the order loaded. It identifies which manifests created
/// a domain; it is not a defence against a forger, and need not be.
enum ContentHash {
    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    static func of(_ files: [(path: String, contents: [UInt8])]) -> String {
        var hash = offsetBasis
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* prime
        }
        for file in files {
            let name = file.path.split(separator: "/").last.map(String.init) ?? file.path
            for byte in name.utf8 { mix(byte) }
            mix(0)
            var length = UInt64(file.contents.count)
            for _ in 0..<8 {
                mix(UInt8(truncatingIfNeeded: length))
                length >>= 8
            }
            for byte in file.contents { mix(byte) }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
