import Foundation
import HostModel
import XenplanBasics

extension SimHostFile {
    /// `lvcreate -L SIZE -n NAME VG` (rounded up to whole 4 MiB extents, as LVM does) or
    /// a sparse image file in a directory pool.
    mutating func createVolume(
        container name: String, name volume: String, size: ByteSize,
        fail: (String) -> HostError
    ) throws {
        guard var container = storage[name] else {
            throw fail(name.hasPrefix("/") ? XlMessages.dirNotFound(name) : XlMessages.vgNotFound(name))
        }
        let path = devicePath(container: name, volume: volume)
        switch container.type {
        case .lvm:
            guard container.volumes[volume] == nil else { throw fail(XlMessages.lvExists(vg: name, name: volume)) }
            let required = XlMessages.extents(size)
            let freeExtents = (container.capacity - container.used).kib / XlMessages.extent.kib
            guard required <= freeExtents else {
                throw fail(XlMessages.vgFull(vg: name, freeExtents: freeExtents, required: required))
            }
            container.volumes[volume] = ByteSize(kib: required * XlMessages.extent.kib)
        case .dir:
            guard container.volumes[volume] == nil else { throw fail(XlMessages.fileExists(path)) }
            guard size <= container.capacity - container.used else { throw fail(XlMessages.noSpace(path)) }
            container.volumes[volume] = size
        }
        container.setOwned(volume, true)
        storage[name] = container
    }

    /// `lvextend -L SIZE` / `truncate -s SIZE`: only ever larger.
    mutating func growVolume(
        container name: String, name volume: String, size: ByteSize,
        fail: (String) -> HostError
    ) throws {
        guard var container = storage[name] else {
            throw fail(name.hasPrefix("/") ? XlMessages.dirNotFound(name) : XlMessages.vgNotFound(name))
        }
        let path = devicePath(container: name, volume: volume)
        guard let current = container.volumes[volume] else {
            throw fail(container.type == .lvm ? XlMessages.lvNotFound(vg: name, name: volume) : XlMessages.dirNotFound(path))
        }
        switch container.type {
        case .lvm:
            let new = XlMessages.extents(size), existing = XlMessages.extents(current)
            if new == existing { throw fail(XlMessages.lvSameSize(existing)) }
            if new < existing { throw fail(XlMessages.lvNotLarger(new: new, existing: existing)) }
            let available = (container.capacity - container.used).kib / XlMessages.extent.kib
            guard new - existing <= available else {
                throw fail(XlMessages.lvExtendNoSpace(needed: new - existing, available: available))
            }
            container.volumes[volume] = ByteSize(kib: new * XlMessages.extent.kib)
        case .dir:
            guard size > current else { throw fail(XlMessages.fileNotLarger(path, new: size, existing: current)) }
            guard size - current <= container.capacity - container.used else { throw fail(XlMessages.noSpace(path)) }
            container.volumes[volume] = size
        }
        storage[name] = container
    }

    /// `lvremove -f VG/NAME` / unlink: refused while a domain of this host uses it.
    mutating func removeVolume(container name: String, name volume: String, fail: (String) -> HostError) throws {
        guard var container = storage[name] else {
            throw fail(name.hasPrefix("/") ? XlMessages.dirNotFound(name) : XlMessages.vgNotFound(name))
        }
        let path = devicePath(container: name, volume: volume)
        guard container.volumes[volume] != nil else {
            throw fail(container.type == .lvm ? XlMessages.lvNotFound(vg: name, name: volume) : XlMessages.dirNotFound(path))
        }
        if let user = domainUsing(path) {
            throw fail(
                container.type == .lvm
                    ? XlMessages.lvInUse(vg: name, name: volume)
                    : XlMessages.fileInUse(path, by: user))
        }
        container.volumes[volume] = nil
        container.setOwned(volume, false)
        storage[name] = container
    }

    /// The first domain (transient ones included) whose disk is `path`.
    func domainUsing(_ path: String) -> String? {
        domains.first { d in d.disks.contains { $0.target == path } }?.xlName
    }

    /// Copies a shared container's volume list from a peer host that just changed it.
    mutating func mirrorVolumes(of container: String, from peer: SimHostFile) {
        guard let theirs = peer.storage[container], storage[container]?.shared == true else { return }
        storage[container]?.volumes = theirs.volumes
        storage[container]?.owned = theirs.owned
    }
}
