import XenplanBasics

/// A stable fingerprint of a set of manifest files: the stable hash over each file's
/// name (its last path component, so the directory it was loaded from does not matter),
/// its length and its bytes, in the order loaded. It identifies which manifests created
/// a domain; it is not a defence against a forger, and need not be: whoever can write a
/// domain's configuration can write any hash in it.
enum ContentHash {
    static func of(_ files: [(path: String, contents: [UInt8])]) -> String {
        var hash = StableIdentity.offsetBasis
        for file in files {
            let name = file.path.split(separator: "/").last.map(String.init) ?? file.path
            hash = StableIdentity.hash(bytes: Array(name.utf8) + [0], seed: hash)
            let length = UInt64(file.contents.count)
            hash = StableIdentity.hash(bytes: (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }, seed: hash)
            hash = StableIdentity.hash(bytes: file.contents, seed: hash)
        }
        return StableIdentity.hex(hash)
    }
}
