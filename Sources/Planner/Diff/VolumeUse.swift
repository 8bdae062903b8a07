/// What the plan knows of volumes besides the drafts that create or grow them.
struct VolumeUse {
    /// Volumes some declared disk uses: never orphans.
    var desired: Set<VolumeKey> = []
    /// Volumes a notice was given for already (a refused shrink, an orphan).
    var reported: Set<VolumeKey> = []
    /// The draft removing each volume (`--allow-data-loss`).
    var removedBy: [VolumeKey: Int] = [:]
}
