import XenplanBasics

/// A disk image new volumes can be filled from (`images:` in the manifests). Only read
/// when a volume is created: an existing volume is never overwritten from it.
public struct ImageSpec: Hashable, Sendable {
    public enum Format: String, Hashable, Sendable, CaseIterable {
        /// A plain copy of a disk or file system.
        case raw
        /// QEMU's copy-on-write format, converted with `qemu-img convert`.
        case qcow2
    }

    public var name: String
    /// Absolute path on the hosts that have it (a path written relative to a `dir`
    /// pool's directory is resolved against it by the loader).
    public var path: String
    public var format: Format
    /// Lower-case hex SHA-256 of the file, checked before it is copied; nil: not checked.
    public var sha256: String?
    /// The hosts that have the image: as written, or the hosts of its pool, or every host.
    public var hosts: [String]
    /// The `dir` pool it lives in, when written.
    public var pool: String?
    public var locations: KeyLocations

    public init(
        name: String, path: String, format: Format = .raw, sha256: String? = nil, hosts: [String],
        pool: String? = nil, locations: KeyLocations = KeyLocations()
    ) {
        self.name = name
        self.path = path
        self.format = format
        self.sha256 = sha256
        self.hosts = hosts
        self.pool = pool
        self.locations = locations
    }
}
