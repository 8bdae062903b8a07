import XenplanBasics

/// One disk copy of a backup, as a restore reads it (`HostOperation.restoreVolume`).
public struct BackupSource: Hashable, Codable, Sendable {
    public var domain: String
    public var id: String
    /// Absolute path of the copy on the host.
    public var path: String
    public var compressed: Bool
    /// SHA-256 the restored volume's content must have (the snapshot's, as recorded);
    /// checked before the volume takes its name.
    public var sha256: String

    public init(domain: String, id: String, path: String, compressed: Bool, sha256: String) {
        self.domain = domain
        self.id = id
        self.path = path
        self.compressed = compressed
        self.sha256 = sha256
    }
}
