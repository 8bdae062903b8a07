/// A volume's identity on a host: its container (volume group or directory) and name.
struct VolumeKey: Hashable, Comparable {
    var container: String
    var name: String
    static func < (a: VolumeKey, b: VolumeKey) -> Bool { (a.container, a.name) < (b.container, b.name) }
    var description: String { "\(container)/\(name)" }
}
