import HostModel
import XenplanBasics

/// The receiving side of a cold move's copies, as LVM on the target does it.
extension SimHostFile {
    /// `lvremove` of a leftover `NAME_partial`, then `lvcreate` of it, untagged; refused
    /// when `NAME` exists.
    mutating func receiveVolume(container: String, name: String, size: ByteSize, fail: (String) -> HostError) throws {
        guard let c = storage[container], c.type == .lvm else { throw fail(XlMessages.vgNotFound(container)) }
        guard c.volumes[name] == nil else { throw fail(XlMessages.lvExists(vg: container, name: name)) }
        let partial = VolumeState.partialName(name)
        if c.volumes[partial] != nil { try removeVolume(container: container, name: partial, fail: fail) }
        try createVolume(container: container, name: partial, size: size, fail: fail)
        storage[container]?.setOwned(partial, false)
    }

    /// `lvrename NAME_partial NAME` and the `xenplan` tag: the copy's content goes with it.
    mutating func commitVolume(container: String, name: String, fail: (String) -> HostError) throws {
        guard var c = storage[container], c.type == .lvm else { throw fail(XlMessages.vgNotFound(container)) }
        let partial = VolumeState.partialName(name)
        guard c.volumes[name] == nil else { throw fail(XlMessages.lvExists(vg: container, name: name)) }
        guard let size = c.volumes[partial], let content = content(container: container, volume: partial) else {
            throw fail(XlMessages.notCopied(vg: container, partial: partial, name: name))
        }
        c.volumes[name] = size
        c.contents[name] = content
        c.volumes[partial] = nil
        c.contents[partial] = nil
        c.setOwned(partial, false)
        c.setOwned(name, true)
        storage[container] = c
    }

    /// Seconds a copy of `size` to another host takes before the driver's speed.
    func sendVolumeSeconds(_ size: ByteSize) -> Double {
        (latencies["send-volume"] ?? 0) + Double(size.kib) / Double(Self.imageCopyRate.kib)
    }
}
