import XenplanBasics

/// A suspended guest's memory image as observed on a host: the file `xl save` wrote,
/// `<directory>/<domain>.save` (or `….save.partial` while, or because, a save did not
/// finish). Only the host's save directory and the directories of the `dir` pools it
/// reaches are looked at.
public struct SaveState: Hashable, Codable, Sendable {
    /// Where a host keeps save files when the manifests name no `dir` pool for them.
    public static let defaultDirectory = "/var/lib/xenplan/save"
    public static let suffix = ".save"
    public static let partialSuffix = ".save.partial"

    /// The directory holding the file.
    public var directory: String
    public var domain: String
    /// Bytes the file holds.
    public var size: ByteSize
    /// An interrupted save: the file is `….save.partial`, never restored from.
    public var partial: Bool

    public init(directory: String, domain: String, size: ByteSize, partial: Bool = false) {
        self.directory = directory
        self.domain = domain
        self.size = size
        self.partial = partial
    }

    public var path: String { Self.path(directory: directory, domain: domain, partial: partial) }

    public static func path(directory: String, domain: String, partial: Bool = false) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + domain + (partial ? partialSuffix : suffix)
    }
}
