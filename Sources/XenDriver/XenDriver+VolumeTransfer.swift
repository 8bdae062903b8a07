import FoundationEssentials
import HostModel
import XenplanBasics

/// The three steps of a cold move's copies: the target makes a partial volume
/// (`receiveVolume`), the source sends its volume into it over ssh and compares the two
/// checksums (`sendVolume`), the target names it (`commitVolume`). A volume of the final
/// name is therefore always a checked copy; an interruption leaves at most a `_partial`
/// volume on the target, which the next plan removes.
extension XenDriver {
    func receiveVolume(container: String, name: String, size: ByteSize) async throws {
        let kind = "receive-volume"
        let partial = VolumeState.partialName(name)
        try XenCommands.volumeName(container, partial)
        guard size.kib > 0, size.isWithinMaximum else { throw failure(kind, "volume size \(size) is not positive and at most 1 PiB") }
        let names = try await volumeNames(in: [container], kind)
        if names.contains("\(container)/\(name)") {
            throw failure(kind, "volume \(container)/\(name) already exists: a copy never writes over a volume")
        }
        if names.contains("\(container)/\(partial)") {
            try await run(XenCommands.lvremove(vg: container, name: partial), operation: kind)
        }
        try await run(XenCommands.lvcreate(vg: container, name: partial, size: size, tagged: false), operation: kind)
    }

    /// Nothing runs here under the domain's name (so nothing writes the volume); the
    /// volume and the target's partial volume have the same size; the volume's SHA-256;
    /// `ssh TARGET dd of=PARTIAL` reading the volume as its stdin; `ssh TARGET sha256sum
    /// PARTIAL`; the two digests equal. With `alreadyCopied`, the named volume there is
    /// only checked the same way. A failure leaves the source as it was.
    func sendVolume(_ t: VolumeTransfer) async throws {
        let kind = "send-volume"
        let domain = try XenCommands.domain(t.domain)
        try XenCommands.volumeName(t.container, t.name)
        try XenCommands.volumeName(t.toContainer, t.written)
        let source = "/dev/\(t.container)/\(t.name)"
        let target = "/dev/\(t.toContainer)/\(t.written)"
        let copy = try XenCommands.onPeer(t.toHost, XenCommands.ddFromStdin(to: target))
        if try currentDomid(of: domain) != nil {
            throw failure(
                kind, domain: domain, "\(domain) is still on \(hostName): its volume \(t.container)/\(t.name) is not copied while it may be written")
        }
        let here = try await byteSize(XenCommands.blockdevSize(source), kind, domain)
        guard here == t.size.kib * 1024 else {
            throw failure(kind, domain: domain, "\(source) is \(here) bytes, the plan expected \(t.size)")
        }
        let there = try await byteSize(XenCommands.onPeer(t.toHost, XenCommands.blockdevSize(target)), kind, domain)
        guard there == here else {
            throw failure(kind, domain: domain, "\(target) on \(t.toHost) is \(there) bytes, \(source) here \(here): the copy would not be whole")
        }
        let digest = try await sha256(of: source, kind, domain: domain)
        if !t.alreadyCopied { try await run(copy, operation: kind, domain: domain, timeout: deadlines.copyImage, stdinFile: source) }
        let result = try await run(
            XenCommands.onPeer(t.toHost, XenCommands.sha256sum(target)), operation: kind, domain: domain, timeout: deadlines.copyImage)
        let copied = String(result.stdout.prefix(64))
        guard ImageSource.isSHA256(copied) else {
            throw failure(kind, domain: domain, "sha256sum on \(t.toHost) printed no digest for \(target): \(shownValue(result.stdout))")
        }
        guard copied == digest else {
            throw failure(
                kind, domain: domain,
                t.alreadyCopied
                    ? "\(target) on \(t.toHost) has sha256 \(copied), \(source) here \(digest): it is not a copy of this volume; remove one of them"
                    : "\(target) on \(t.toHost) has sha256 \(copied) after the copy, \(source) here \(digest); it is not named, the next plan removes it"
            )
        }
    }

    func commitVolume(container: String, name: String) async throws {
        let kind = "commit-volume"
        let partial = VolumeState.partialName(name)
        try XenCommands.volumeName(container, name)
        let names = try await volumeNames(in: [container], kind)
        if names.contains("\(container)/\(name)") {
            throw failure(kind, "volume \(container)/\(name) already exists: a copy never writes over a volume")
        }
        guard names.contains("\(container)/\(partial)") else {
            throw failure(kind, "volume \(container)/\(partial) is not there: nothing was copied to name \(name)")
        }
        try await run(XenCommands.lvrename(vg: container, from: partial, to: name), operation: kind)
        try await run(XenCommands.lvAddOwnerTag(vg: container, name: name), operation: kind)
    }

    /// The one number `blockdev --getsize64` prints.
    private func byteSize(_ argv: [String], _ kind: String, _ domain: String) async throws -> Int64 {
        let result = try await run(argv, operation: kind, domain: domain)
        guard let bytes = Int64(result.stdout.trimmingWhitespace()), bytes >= 0 else {
            throw failure(kind, domain: domain, "`\(argv.joined(separator: " "))` printed no size: \(shownValue(result.stdout))")
        }
        return bytes
    }
}
