import HostModel
import Manifest
import XenplanBasics

/// Images new volumes are filled from: whether a host has the image, in the declared
/// format, no larger than the disk. The checksum is the host's to check, at the copy.
extension PlanBuilder {
    /// What is wrong with filling a `size` disk on `host` from image `name`; nil when the
    /// host has it as declared.
    func imageProblem(_ name: String, size: ByteSize, on host: String) -> String? {
        guard let image = lab.image(name) else { return "image \(name) is not declared" }
        guard image.hosts.contains(host) else {
            return "image \(name) is not on \(host) (its hosts: \(image.hosts.joined(separator: ", ")))"
        }
        guard let index = hosts[host] else { return "\(host) was not observed" }
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

    /// The copy's source for the host, and a few words on it for the plan (`qcow2,
    /// 2 GiB`). A problem is recorded, and the plan refused, naming host and domain.
    mutating func imageSource(_ name: String, for d: DomainSpec, disk: DiskSpec, size: ByteSize, on host: String)
        -> (source: ImageSource, detail: String?)
    {
        let image = lab.image(name)
        let source = ImageSource(name: name, path: image?.path ?? "", format: image?.format.rawValue ?? "raw", sha256: image?.sha256)
        if let problem = imageProblem(name, size: size, on: host) {
            imageProblems.append((host, d.name, "disk \(disk.name) of \(d.name) on \(host): \(problem)"))
            return (source, nil)
        }
        let file = hosts[host]?.state.image(at: source.path)
        let detail = [source.format, file.map { "\($0.virtualSize)" }, source.sha256 == nil ? "no sha256 declared" : "sha256 checked before the copy"]
            .compactMap { $0 }.joined(separator: ", ")
        return (source, detail)
    }

    /// The plan is refused when a volume cannot be filled from its image: creating the
    /// guest with an empty disk would start a guest that cannot boot.
    func checkImages() throws(PlanRefusal) {
        guard !imageProblems.isEmpty else { return }
        throw PlanRefusal(hosts: Array(Set(imageProblems.map(\.host))).sorted(),
                          domains: Array(Set(imageProblems.map(\.domain))).sorted(), shortfall: .zero,
                          message: imageProblems.map(\.message).joined(separator: "\n"))
    }
}
