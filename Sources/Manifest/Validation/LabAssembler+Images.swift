import XenplanBasics

/// Images: where each one is, which hosts have it, and whether the disks filled from it
/// can be created where their domain runs.
extension LabAssembler {
    /// Resolves each image's path (relative to its pool's directory) and hosts (written,
    /// its pool's, or every host).
    mutating func resolveImages() {
        for declared in declaredImages.values.sorted(by: { $0.name < $1.name }) {
            let what = "image '\(declared.name)'"
            var resolved = declared.path != nil
            var path = declared.path?.value ?? ""
            var hosts: [String]
            if let poolName = declared.pool {
                hosts = []
                if let pool = pools[poolName.value] {
                    if case let .dir(directory) = pool.kind, !directory.isEmpty {
                        hosts = pool.hosts
                        if declared.pathIsRelative {
                            path =
                                "/"
                                + (directory.split(separator: "/") + path.split(separator: "/").filter { $0 != "." })
                                .joined(separator: "/")
                            if let problem = Syntax.pathProblem(path), let written = declared.path {
                                diagnostics.append(
                                    .badPath(
                                        path, for: "path of \(what) in the directory of pool '\(pool.name)'",
                                        problem: problem, at: written.location))
                                resolved = false
                            }
                        }
                    } else {
                        // A pool whose type or directory was refused has been reported already.
                        if case .lvm = pool.kind {
                            diagnostics.append(.imageInLvmPool(what, pool: pool.name, at: poolName.location, poolAt: pool.locations.object))
                        }
                        resolved = false
                    }
                } else {
                    diagnostics.append(.undeclared("pool", poolName.value, by: what, candidates: Array(pools.keys), at: poolName.location))
                    resolved = false
                }
            } else if let written = declared.hosts {
                hosts = written.map(\.value)
                for host in written where self.hosts[host.value] == nil {
                    diagnostics.append(.undeclared("host", host.value, by: what, candidates: Array(self.hosts.keys), at: host.location))
                }
            } else {
                hosts = self.hosts.keys.sorted()
            }
            images[declared.name] = ImageSpec(
                name: declared.name, path: path, format: declared.format, sha256: declared.sha256,
                hosts: hosts, pool: declared.pool?.value, locations: declared.locations)
            if !resolved { unresolvedImages.insert(declared.name) }
        }
    }

    /// A disk's `source: {image}`: the image is declared, and a host that runs the
    /// domain has it (the domain's host, else one that reaches the disk's pool).
    mutating func checkDiskImage(
        _ reference: Declared<String>, of label: String, host: HostSpec?, hostAt: SourceLocation?,
        pool: String?, use: String = "is filled from"
    ) {
        guard let image = images[reference.value] else {
            diagnostics.append(.undeclared("image", reference.value, by: label, candidates: Array(images.keys), at: reference.location))
            return
        }
        guard !unresolvedImages.contains(image.name) else { return }
        let imageNote = Diagnostic.Note(
            "image '\(image.name)' is on \(image.hosts.joined(separator: ", ")), declared here",
            at: image.locations[image.pool == nil ? "hosts" : "pool"])
        if let host {
            if !image.hosts.contains(host.name) {
                diagnostics.append(
                    .error(
                        "\(label) \(use) image '\(image.name)', which host '\(host.name)' does not have",
                        at: reference.location, notes: [.init("host '\(host.name)' is named here", at: hostAt), imageNote]))
            }
        } else if let pool, let spec = pools[pool], !spec.hosts.isEmpty, !spec.hosts.contains(where: image.hosts.contains) {
            diagnostics.append(
                .error(
                    "\(label) \(use) image '\(image.name)', which no host reaching pool '\(pool)' has",
                    at: reference.location, notes: [imageNote]))
        }
    }

    /// An image is only read; a volume xenplan manages is written (and may be removed):
    /// one file cannot be both.
    mutating func checkImagesAreNotVolumes() {
        let managed = managedVolumes
        for image in images.values.sorted(by: { $0.name < $1.name }) where !unresolvedImages.contains(image.name) {
            guard let owner = managed[Syntax.deviceIdentity(image.path)] else { continue }
            diagnostics.append(
                .error(
                    "image '\(image.name)' is \(image.path), the volume of disk '\(owner.disk)' of domain '\(owner.domain)', which xenplan writes; keep images apart from volumes",
                    at: image.locations["path"],
                    notes: [.init("disk '\(owner.disk)' of domain '\(owner.domain)' is declared here", at: owner.location)]))
        }
    }
}

extension Diagnostic {
    static func imageInLvmPool(_ what: String, pool: String, at location: SourceLocation, poolAt: SourceLocation?) -> Diagnostic {
        .error(
            "\(what) names pool '\(pool)', which is an lvm pool; an image is a file in a dir pool, or give its hosts instead",
            at: location, notes: [.init("pool '\(pool)' is declared here", at: poolAt)])
    }
}
