import FoundationEssentials
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
            let freeExtents = freeSpace(in: name).kib / XlMessages.extent.kib
            guard required <= freeExtents else {
                throw fail(XlMessages.vgFull(vg: name, freeExtents: freeExtents, required: required))
            }
            container.volumes[volume] = ByteSize(kib: required * XlMessages.extent.kib)
        case .dir:
            guard container.volumes[volume] == nil else { throw fail(XlMessages.fileExists(path)) }
            guard size <= freeSpace(in: name) else { throw fail(XlMessages.noSpace(path)) }
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
            let available = freeSpace(in: name).kib / XlMessages.extent.kib
            guard new - existing <= available else {
                throw fail(XlMessages.lvExtendNoSpace(needed: new - existing, available: available))
            }
            container.volumes[volume] = ByteSize(kib: new * XlMessages.extent.kib)
        case .dir:
            guard size > current else { throw fail(XlMessages.fileNotLarger(path, new: size, existing: current)) }
            guard size - current <= freeSpace(in: name) else { throw fail(XlMessages.noSpace(path)) }
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
        container.contents[volume] = nil
        container.setOwned(volume, false)
        storage[name] = container
    }

    /// Room left in a container: its capacity less its volumes, its backups' copies and
    /// (a `dir` pool being a file system) the save files in its directory.
    public func freeSpace(in name: String) -> ByteSize {
        guard let container = storage[name] else { return .zero }
        let saved = saves.filter { $0.directory == name }.map(\.size).reduce(.zero, +)
        return container.capacity - container.used - saved
    }

    /// The first domain (transient ones included) whose disk is `path`.
    func domainUsing(_ path: String) -> String? {
        domains.first { d in d.disks.contains { $0.target == path } }?.xlName
    }

    /// Copies what a shared container holds (volumes, their tags and contents, backups,
    /// the save files of a `dir` pool) from a peer host that just changed it.
    mutating func mirror(_ container: String, from peer: SimHostFile) {
        guard let theirs = peer.storage[container], let mine = storage[container], mine.shared,
            mine.type == theirs.type
        else { return }
        storage[container]?.volumes = theirs.volumes
        storage[container]?.owned = theirs.owned
        storage[container]?.contents = theirs.contents
        storage[container]?.backups = theirs.backups
        if mine.type == .dir {
            saves = (saves.filter { $0.directory != container } + peer.saves.filter { $0.directory == container })
                .sorted { $0.path < $1.path }
        }
    }
}
