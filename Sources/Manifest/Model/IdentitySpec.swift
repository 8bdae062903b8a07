import XenplanBasics

/// What a guest is told at its first boot through a cloud-init NoCloud seed: its name,
/// who may log in, and (per interface, in `NicSpec`) its addresses.
public struct IdentitySpec: Hashable, Sendable {
    /// When a declared identity differs from the one a guest was created with.
    public enum Changes: String, Hashable, Sendable, CaseIterable {
        /// The seed keeps the identity the guest was created with; the plan reports the
        /// difference and changes nothing (cloud-init reads it once per instance).
        case firstBoot = "first-boot"
        /// The seed is rewritten with a new instance id: cloud-init applies the new
        /// identity at the guest's next boot (and regenerates its ssh host keys).
        case nextBoot = "next-boot"
    }

    /// The guest device the seed is attached as, after every declared disk (HostModel's
    /// `CloudInitSeed.vdev`; a declared disk may not take it).
    public static let seedVdev = "xvdz"

    /// Whether the guest gets a seed disk at all. Default: when one of its disks is
    /// filled from an image.
    public var seed: Bool
    /// Default: the domain's name.
    public var hostname: String
    /// Lab-wide keys first, then the domain's own, duplicates removed.
    public var sshKeys: [String]
    /// A crypt(3) hash (`$6$…`, `$y$…`) for the default user; never a clear-text password.
    public var passwordHash: String?
    public var changes: Changes

    public init(
        seed: Bool = false, hostname: String, sshKeys: [String] = [], passwordHash: String? = nil,
        changes: Changes = .firstBoot
    ) {
        self.seed = seed
        self.hostname = hostname
        self.sshKeys = sshKeys
        self.passwordHash = passwordHash
        self.changes = changes
    }
}
