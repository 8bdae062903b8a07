/// A volume that a removal leaves unused: reported, or removed with --allow-data-loss.
struct OrphanCandidate {
    var key: VolumeKey
    var host: String
    var domain: String?
    /// The draft after which nothing uses the volume any more.
    var after: Int?
    var why: String
}
