import HostModel
import Manifest
import XenplanBasics

/// Images new volumes are filled from: a volume that cannot be filled refuses the plan,
/// since creating the guest with an empty disk would start a guest that cannot boot.
extension Diff {
    /// The copy's source for the host, and a few words on it for the plan (`qcow2,
    /// 2 GiB`). A problem is recorded, and the plan refused, naming host and domain.
    mutating func imageSource(
        _ name: String, for d: DomainSpec, disk: DiskSpec, size: ByteSize, on host: String
    )
        -> (source: ImageSource, detail: String?)
    {
        let image = desired.lab.image(name)
        let source = ImageSource(name: name, path: image?.path ?? "", format: image?.format.rawValue ?? "raw", sha256: image?.sha256)
        if let problem = desired.imageProblem(name, size: size, on: host, observed: observed) {
            imageProblems.append((host, d.name, "disk \(disk.name) of \(d.name) on \(host): \(problem)"))
            return (source, nil)
        }
        let file = observed.hosts[host]?.state.image(at: source.path)
        let detail = [
            source.format, file.map { "\($0.virtualSize)" }, source.sha256 == nil ? "no sha256 declared" : "sha256 checked before the copy",
        ]
        .compactMap { $0 }.joined(separator: ", ")
        return (source, detail)
    }

    func checkImages() throws(PlanRefusal) {
        guard !imageProblems.isEmpty else { return }
        throw PlanRefusal(
            hosts: Array(Set(imageProblems.map(\.host))).sorted(),
            domains: Array(Set(imageProblems.map(\.domain))).sorted(), shortfall: .zero,
            message: imageProblems.map(\.message).joined(separator: "\n"))
    }
}
