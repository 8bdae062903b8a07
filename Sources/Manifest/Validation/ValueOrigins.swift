import XenplanBasics

/// Where each value of a resolved domain was written: on the domain itself, or in
/// `defaults`. A short list (a domain has at most a score of such keys) rather than a
/// dictionary: ten thousand domains each with a hash table of their own cost megabytes,
/// and diagnostics alone read it.
struct ValueOrigins {
    private var entries: [(key: String, location: SourceLocation, inherited: Bool)] = []

    /// Where `key`'s value was written, if anywhere.
    subscript(key: String) -> SourceLocation? { entries.first { $0.key == key }?.location }

    /// Whether `key`'s value came from `defaults`.
    func isInherited(_ key: String) -> Bool { entries.contains { $0.key == key && $0.inherited } }

    mutating func record(_ key: String, at location: SourceLocation, inherited: Bool) {
        entries.append((key, location, inherited))
    }
}
