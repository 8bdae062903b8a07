import FoundationEssentials
import HostModel
import XenplanBasics

extension SimDriver {
    /// The sending side of a cold move's copy between two simulated hosts of the same
    /// state directory, checked as the real driver checks it: no domain of that name here,
    /// the volume of the planned size, the target reachable with a partial volume of the
    /// same size. The copy takes its time (`send-volume` latency plus the volume at
    /// `imageCopyRate`); only then does the target's partial volume hold the source's
    /// content, so an interrupted copy leaves a partial volume that is not the volume.
    /// With `alreadyCopied`, the named volume there is only compared.
    func sendVolume(_ t: VolumeTransfer) async throws {
        let fail = { (message: String) in
            HostError(host: self.hostName, operation: "send-volume", domain: t.domain, message: message)
        }
        guard t.toHost != hostName, Syntax.isName(t.toHost) else { throw fail(XlMessages.sshUnreachable(t.toHost)) }
        let partial = t.written
        let check = { (source: SimHostFile, destination: SimHostFile) throws -> String in
            if source.domainIndex(t.domain) != nil {
                throw fail(XlMessages.stillHere(t.domain, volume: "\(t.container)/\(t.name)", host: self.hostName))
            }
            guard let c = source.storage[t.container], c.type == .lvm else { throw fail(XlMessages.vgNotFound(t.container)) }
            guard let size = c.volumes[t.name], let digest = source.content(container: t.container, volume: t.name) else {
                throw fail(XlMessages.lvNotFound(vg: t.container, name: t.name))
            }
            let sourcePath = "/dev/\(t.container)/\(t.name)", targetPath = "/dev/\(t.toContainer)/\(partial)"
            guard size == t.size else {
                throw fail("\(sourcePath) is \(size.kib * 1024) bytes, the plan expected \(t.size)")
            }
            guard let there = destination.storage[t.toContainer]?.volumes[partial] else {
                throw fail("blockdev: cannot open \(targetPath): No such file or directory")
            }
            guard there == size else {
                throw fail(
                    XlMessages.sizeDiffers(
                        targetPath, on: t.toHost, bytes: there.kib * 1024, source: sourcePath, sourceBytes: size.kib * 1024))
            }
            if t.alreadyCopied, let copied = destination.content(container: t.toContainer, volume: partial), copied != digest {
                throw fail(XlMessages.notACopy(targetPath, on: t.toHost, copied: copied, source: sourcePath, digest: digest))
            }
            return digest
        }
        let seconds: Double = try store.withLocks([hostName, t.toHost]) { session in
            let source = try session.file(hostName)
            let destination: SimHostFile
            do { destination = try session.file(t.toHost) } catch { throw fail(XlMessages.sshUnreachable(t.toHost)) }
            _ = try check(source, destination)
            return source.sendVolumeSeconds(t.alreadyCopied ? .zero : t.size)
        }
        try await sleep(seconds)
        try store.withLocks([hostName, t.toHost]) { session in
            let source = try session.file(hostName)
            var destination = try session.file(t.toHost)
            let digest = try check(source, destination)
            guard !t.alreadyCopied else { return }
            destination.wrote(container: t.toContainer, volume: partial, content: digest, host: t.toHost)
            session.update(t.toHost, destination)
        }
    }
}
