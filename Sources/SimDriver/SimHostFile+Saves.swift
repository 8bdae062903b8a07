import FoundationEssentials
import HostModel
import XenplanBasics

extension SimHostFile {
    /// How fast `xl save` writes a guest's memory out and `xl restore` reads it back.
    public static let memoryImageRate = ByteSize.mib(512)

    /// Seconds a save (or a restore) of `domain` takes here before the driver's speed: the
    /// kind's latency plus its memory (the save file's size for a restore) at
    /// `memoryImageRate`; only the latency when there is nothing to move.
    public func saveSeconds(_ operation: HostOperation, at now: Date) -> Double {
        var bytes = ByteSize.zero
        switch operation {
        case let .save(domain, _):
            if let i = domainIndex(domain) { bytes = domains[i].actual(at: now, rate: balloonRatePerSecond) }
        case let .restore(domain, directory):
            bytes = saves.first { $0.directory == directory && $0.domain == domain && !$0.partial }?.size ?? .zero
        default:
            break
        }
        return (latencies[operation.kind] ?? 0) + Double(bytes.kib) / Double(Self.memoryImageRate.kib)
    }

    /// The directories a save file may be written to: the host's save directory and its
    /// `dir` pools. The real driver would create any other directory, but observation
    /// never looks there, so a plan naming one is a mistake worth a refusal.
    func checkSaveDirectory(_ directory: String, fail: (String) -> HostError) throws {
        guard directory == SaveState.defaultDirectory || storage[directory]?.type == .dir else {
            throw fail(XlMessages.dirNotFound(directory))
        }
    }

    /// `xl save`: the domain's memory (what it holds now) goes to `<dir>/<domain>.save`,
    /// replacing a stale file and any partial one, and the domain is gone. A `dir` pool
    /// must have the room; the save directory is not accounted.
    mutating func save(domain index: Int, directory: String, fail: (String) -> HostError) throws {
        try checkSaveDirectory(directory, fail: fail)
        let domain = domains[index]
        let size = domain.memoryActual
        let old = saves.filter { $0.directory == directory && $0.domain == domain.name }.map(\.size).reduce(.zero, +)
        if storage[directory] != nil, size > freeSpace(in: directory) + old {
            throw fail(XlMessages.noSpace(SaveState.path(directory: directory, domain: domain.name, partial: true)))
        }
        saves.removeAll { $0.directory == directory && $0.domain == domain.name }
        saves.append(SaveState(directory: directory, domain: domain.name, size: size))
        saves.sort { $0.path < $1.path }
        domains.remove(at: index)
    }

    /// What a save cut short leaves: `<dir>/<domain>.save.partial` (as large as the
    /// guest's memory: the probe found room for that), the guest still running.
    mutating func interruptedSave(domain name: String, directory: String) {
        guard let i = domainIndex(name) else { return }
        saves.removeAll { $0.directory == directory && $0.domain == name && $0.partial }
        saves.append(SaveState(directory: directory, domain: name, size: domains[i].memoryActual, partial: true))
        saves.sort { $0.path < $1.path }
    }

    /// `xl restore CONFIG FILE`: the configuration first, then the save file, then the
    /// domain built like `xl create` builds it (memory, name, disks, bridges); the save
    /// file goes once the domain runs.
    mutating func restore(
        domain name: String, directory: String, host: String, now: Date, fail: (String) -> HostError
    ) throws {
        guard let config = configs.first(where: { $0.name == name }) else { throw fail(XlMessages.noConfig(name)) }
        guard saves.contains(where: { $0.directory == directory && $0.domain == name && !$0.partial }) else {
            throw fail(XlMessages.noRestoreFile)
        }
        try create(from: config, host: host, now: now, fail: fail)
        saves.removeAll { $0.directory == directory && $0.domain == name && !$0.partial }
    }

    /// Unlinks exactly `<dir>/<domain>.save` (or `.save.partial`).
    /// Like the real driver's `unlink`, a file already gone is no failure: what was asked
    /// for is so.
    mutating func removeSave(domain: String, directory: String, partial: Bool, fail: (String) -> HostError) throws {
        saves.removeAll { $0.directory == directory && $0.domain == domain && $0.partial == partial }
    }
}
