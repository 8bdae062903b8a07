import FoundationEssentials
import HostModel
import XenplanBasics

extension SimDriver {
    /// `copy-image`: a refusal comes at once (nothing is copied); otherwise the copy takes
    /// its time (`SimHostFile.copySeconds(of:)`, × speed) before the volume appears, so a
    /// large image visibly takes longer. An interrupted copy leaves no volume, as the real
    /// driver removes its partial one.
    func copyImage(_ operation: HostOperation, image: ImageSource) async throws {
        try await fillVolume(operation) { $0.copySeconds(of: image) }
    }

    /// A volume created and filled (from an image or a backup): refused at once when it
    /// would be, else it appears complete after `seconds` of the host as it was (× speed).
    func fillVolume(_ operation: HostOperation, seconds: (SimHostFile) -> Double) async throws {
        let now = clock.now()
        let duration: Double = try store.withLocks([hostName]) { session in
            var probe = try session.file(hostName)
            let duration = seconds(probe)
            try probe.apply(operation, host: hostName, now: now)
            return duration
        }
        try await sleep(duration)
        try applyVolumeOperation(operation)
    }

    /// Puts an image file at `path` (replacing one there), or with nil removes it, as a
    /// person copying files onto the dom0 would. In a shared image directory the file
    /// changes on every host that shares the directory, as on NFS.
    ///
    /// - Returns: the hosts whose file changed, this one first.
    @discardableResult
    public func setImage(_ path: String, to image: SimHostFile.Image?) throws -> [String] {
        guard Syntax.pathProblem(path) == nil else {
            throw SimError("image path \(shownValue(path)) is not an absolute path without spaces or shell characters")
        }
        if let image {
            for size in [image.fileSize, image.virtualSize] where !size.isWithinMaximum || size <= .zero {
                throw SimError("image \(path): a size must be more than 0 and at most 1 PiB, not \(size)")
            }
            if let problem = image.problem { throw SimError("image \(path) \(problem)") }
        }
        let others = store.hostNames().filter { $0 != hostName }
        return try store.withLocks([hostName] + others) { session in
            var file = try session.file(hostName)
            if image == nil, file.images[path] == nil { throw SimError("\(hostName) has no image \(path)") }
            file.images[path] = image
            session.update(hostName, file)
            var changed = [hostName]
            guard let directory = file.sharedDirectory(holding: path) else { return changed }
            for other in others {
                var peer = try session.file(other)
                guard peer.storage[directory]?.shared == true, peer.storage[directory]?.type == .dir,
                    peer.images[path] != image
                else { continue }
                peer.images[path] = image
                session.update(other, peer)
                changed.append(other)
            }
            return changed
        }
    }
}
