import HostModel

/// Manifest files that are gone while the domains they declared are about to be
/// destroyed: a file moved away by mistake must not read like a list of guests to remove.
struct GoneManifests {
    /// File names of the manifests read.
    let fileNames: Set<String>
    /// Domains a plan destroys whose recorded manifest file is not among them, by file.
    private var destroyed: [String: [String]] = [:]

    init(fileNames: Set<String>) { self.fileNames = fileNames }

    /// Remembers a destroyed domain whose manifest file is no longer in the directory.
    mutating func note(_ config: DomainConfig) {
        guard let file = config.manifestFile, !fileNames.contains(file) else { return }
        destroyed[file, default: []].append(config.name)
    }

    /// One notice per manifest file that is gone, by file name; the plan puts them before
    /// anything else.
    func notices() -> [Notice] {
        destroyed.keys.sorted().map { file in
            let names = Array(Set(destroyed[file]!)).sorted()
            return Notice(
                kind: .manifestGone, host: nil, domain: nil,
                message: "\(file) is gone: \(names.count) \(names.count == 1 ? "guest" : "guests") it declared would be destroyed ("
                    + names.joined(separator: ", ") + "); restore the file if it was not meant to go")
        }
    }
}
