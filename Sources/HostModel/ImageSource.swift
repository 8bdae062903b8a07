import XenplanBasics

/// The image a new volume is filled from, as the host needs it to do the copy.
public struct ImageSource: Hashable, Codable, Sendable {
    /// The image's name in the manifests, for messages.
    public var name: String
    /// Absolute path on the host.
    public var path: String
    /// `raw` or `qcow2`.
    public var format: String
    /// Lower-case hex SHA-256 the file must have before it is copied; nil: not checked.
    public var sha256: String?

    public init(name: String, path: String, format: String, sha256: String? = nil) {
        self.name = name
        self.path = path
        self.format = format
        self.sha256 = sha256
    }
}
