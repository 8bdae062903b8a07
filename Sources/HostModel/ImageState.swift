import XenplanBasics

/// A disk image file as observed on a host (only the paths the lab declares are looked at).
public struct ImageState: Hashable, Codable, Sendable {
    public var path: String
    /// Bytes the file holds.
    public var fileSize: ByteSize
    /// The size of the disk it holds: the file size for raw, the header's size for qcow2.
    public var virtualSize: ByteSize
    /// `raw` or `qcow2`, as its first bytes say (a qcow2 file starts with `QFI\xfb`).
    public var format: String

    public init(path: String, fileSize: ByteSize, virtualSize: ByteSize, format: String) {
        self.path = path
        self.fileSize = fileSize
        self.virtualSize = virtualSize
        self.format = format
    }
}
