import HostModel
import Manifest
import XenplanBasics

/// Images new volumes are filled from: whether a host has the image, in the declared
/// format, no larger than the disk. The checksum is the host's to check, at the copy.
extension DesiredState {
    /// What is wrong with filling a `size` disk on `host` from image `name`; nil when the
    /// host has it as declared.
    func imageProblem(_ name: String, size: ByteSize, on host: String, observed: ObservedState) -> String? {
        guard let image = lab.image(name) else { return "image \(name) is not declared" }
        guard image.hosts.contains(host) else {
            return "image \(name) is not on \(host) (its hosts: \(image.hosts.joined(separator: ", ")))"
        }
        guard let index = observed.hosts[host] else { return "\(host) was not observed" }
        guard let file = index.state.image(at: image.path) else {
            return "image \(name) (\(image.path)) is not on \(host): copy it there"
                + (image.sha256 == nil ? "" : " (sha256 \(image.sha256!.prefix(12))…)")
        }
        if file.format != image.format.rawValue {
            return "image \(name) (\(image.path)) on \(host) is \(file.format), declared \(image.format.rawValue)"
        }
        if file.virtualSize > size { return "image \(name) is \(file.virtualSize), larger than the \(size) disk" }
        return nil
    }
}
