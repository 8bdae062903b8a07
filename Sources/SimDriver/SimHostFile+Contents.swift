import HostModel
import XenplanBasics

extension SimHostFile {
    /// The SHA-256 `sha256sum` would print for a volume's content, nil without the volume.
    /// A backup records it and a restore must bring it back, so that tests (and a lab
    /// run) can prove a restored volume holds what was backed up.
    public func content(container: String, volume: String) -> String? {
        guard let c = storage[container], c.volumes[volume] != nil else { return nil }
        return c.contents[volume] ?? Self.initialContent(container: container, volume: volume)
    }

    /// What a volume holds that no simulated write has touched (one made by a seed, or
    /// before contents were modelled).
    static func initialContent(container: String, volume: String) -> String {
        SimIdentity.digest("initial \(container)/\(volume)")
    }

    /// A copy of `image` into a disk of `size`: the same image into the same size gives
    /// the same content, on every host.
    static func content(ofCopy image: Image, size: ByteSize) -> String {
        SimIdentity.digest("image \(image.sha256) \(size.kib)")
    }

    /// Records that `volume` was written: `content` when known (a copy, a restore), else a
    /// digest no earlier write of this host gave (the host's name keeps two hosts sharing
    /// a container apart).
    mutating func wrote(container: String, volume: String, content: String? = nil, host: String) {
        guard storage[container]?.volumes[volume] != nil else { return }
        contentGeneration += 1
        storage[container]?.contents[volume] =
            content ?? SimIdentity.digest("write \(contentGeneration) \(host) \(container)/\(volume)")
    }
}
