import HostModel
import XenplanBasics

/// The fields of a cold move's copies: logical volumes only (a directory is no volume
/// group), names that stay LVM names with the `_partial` suffix, and the receiving host
/// named as `xl migrate` names it.
extension AgentValidation {
    static func check(_ t: VolumeTransfer, _ at: String) throws(Problem) {
        try domainName(t.domain, "\(at).domain", transient: false)
        try volumeGroup(t.container, "\(at).container")
        try volumeName(t.name, "\(at).name")
        try size(t.size, "\(at).size")
        try hostName(t.toHost, "\(at).toHost")
        try volumeGroup(t.toContainer, "\(at).toContainer")
        try received(t.toName, "\(at).toName")
    }

    /// A volume received from another host: its name, and its name while it is copied.
    static func received(_ name: String, _ field: String) throws(Problem) {
        try volumeName(name, field)
        try volumeName(VolumeState.partialName(name), field)
        guard !name.hasSuffix(VolumeState.partialSuffix) else {
            throw Problem(field: field, message: "\(shown(name)) ends in \(VolumeState.partialSuffix), the suffix of a volume being copied")
        }
    }
}
