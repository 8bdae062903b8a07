import HostModel
import XenplanBasics

extension SimHostFile {
    /// The SHA-256 `sha256sum` would print for a volume's content, nil without the volume.
    /// A backup records it and a restore must bring it back, so that tests (and a lab
    /// run) can prove a restored volume holds what was backed up.
    public func content(container: String, volume: String) -> String? {
        guard let c = storage[container], let size = c.volumes[volume] else { return nil }
        return c.contents[volume] ?? Self.initialContent(container: container, volume: volume, size: size)
    }

    /// What a volume holds that nothing has filled or written since it was created (a
    /// fresh volume, or one from before contents were modelled): derived from its place
    /// and size, so such volumes need no entry and seeds stay as they were.
    static func initialContent(container: String, volume: String, size: ByteSize) -> String {
        SimIdentity.digest("created \(container)/\(volume) \(size.kib)")
    }

    /// A copy of `image` into a disk of `size`: the same image into the same size gives
    /// the same content, on every host.
    static func content(ofCopy image: Image, size: ByteSize) -> String {
        SimIdentity.digest("image \(image.sha256) \(size.kib)")
    }

    /// Records that `volume` was filled with `content` (a copy, a restore), or, without
    /// one, written by a guest or a person: a digest no earlier write of this host gave
    /// (the host's name keeps two hosts sharing a container apart).
    mutating func wrote(container: String, volume: String, content: String? = nil, host: String) {
        guard storage[container]?.volumes[volume] != nil else { return }
        if let content {
            storage[container]?.contents[volume] = content
            return
        }
        contentGeneration += 1
        storage[container]?.contents[volume] = SimIdentity.digest(
            "write \(contentGeneration) \(host) \(container)/\(volume)")
    }

    /// A grown volume's digest covers its new end too; one never filled stays derived
    /// from its (new) size.
    mutating func grew(container: String, volume: String) {
        guard let old = storage[container]?.contents[volume], let size = storage[container]?.volumes[volume] else { return }
        storage[container]?.contents[volume] = SimIdentity.digest("grown \(old) \(size.kib)")
    }
}
