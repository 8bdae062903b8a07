import XenplanBasics

/// One volume of a cold move, copied from the host that performs it (`HostOperation.sendVolume`)
/// straight into the receiving host's `toName` partial volume (`VolumeState.partialName`),
/// which `receiveVolume` made there beforehand and `commitVolume` names once the copy is
/// whole: the source dom0 reaches the target over the root ssh that `xl migrate` uses.
public struct VolumeTransfer: Hashable, Codable, Sendable {
    /// The domain whose disk it is: it must not run on the sending host during the copy.
    public var domain: String
    /// The volume group and logical volume read on the sending host.
    public var container: String
    public var name: String
    /// Its size; the partial volume on the target has exactly this size, so that the two
    /// checksums cover the same bytes.
    public var size: ByteSize
    /// The receiving host, as `xl migrate` names it (its name in the lab).
    public var toHost: String
    /// The volume group and the final name on the receiving host; the copy is written to
    /// `VolumeState.partialName(toName)`.
    public var toContainer: String
    public var toName: String
    /// The target has `toName` already (a move interrupted after that copy was named):
    /// nothing is copied, its checksum must equal the volume's, or the send fails.
    public var alreadyCopied: Bool

    public init(
        domain: String, container: String, name: String, size: ByteSize, toHost: String, toContainer: String, toName: String,
        alreadyCopied: Bool = false
    ) {
        self.domain = domain
        self.container = container
        self.name = name
        self.size = size
        self.toHost = toHost
        self.toContainer = toContainer
        self.toName = toName
        self.alreadyCopied = alreadyCopied
    }

    /// The volume written on the target: the partial one, or the named one when it is
    /// only checked.
    public var written: String { alreadyCopied ? toName : VolumeState.partialName(toName) }
}

extension VolumeState {
    /// The temporary name a logical volume is filled under (from an image, a backup or
    /// another host) before it takes `name`: a volume of that name is always complete.
    /// `_` is in no name the manifests can give (`NAME.partial` could be another domain's
    /// disk), so a `_partial` volume is a leftover of an interrupted fill, removed without
    /// a doubt.
    public static func partialName(_ name: String) -> String { name + partialSuffix }
    public static let partialSuffix = "_partial"
}
