import HostModel
import XenplanBasics

extension SimHostFile {
    /// The file with every number checked against the limits of a real host
    /// (`HostStateLimits`) and its text escaped for a terminal. A state directory is
    /// input like a host's answer: a hand-edited or damaged file must end in a message
    /// naming the file and the field, never in an overflow while its host is simulated.
    public func checked() throws(HostStateLimits.Violation) -> SimHostFile {
        typealias L = HostStateLimits
        var file = self
        try L.number(format, 1...1, "format")
        file.machine.xenVersion = try L.text(machine.xenVersion, "machine.xenVersion")
        try L.size(machine.memory, "machine.memory")
        try L.number(machine.cpus, L.cpus, "machine.cpus")
        try L.size(dom0.memory, "dom0.memory")
        try L.number(dom0.vcpus, L.vcpus, "dom0.vcpus")
        try L.count(domains.count, L.maxDomains, "domains")
        // Domain-0 is not among them, so a guest never has domid 0.
        try L.number(nextDomid, 1...L.domids.upperBound + 1, "nextDomid")
        file.domains = try domains.map { d throws(L.Violation) in
            let what = "domain \(shownValue(d.name))"
            try L.number(d.domid, 1...L.domids.upperBound, "the domid of \(what)")
            if let start = d.balloonStartedAt, !start.isFinite {
                throw L.Violation(field: "balloonStartedAt of \(what)", problem: "is not a time")
            }
            let observed = try L.checked(
                DomainState(
                    name: d.name, domid: d.domid, uuid: d.uuid, state: d.state, transient: d.transient,
                    memoryTarget: d.memoryTarget, memoryStaticMax: d.memoryStaticMax, memoryActual: d.memoryActual,
                    vcpusOnline: d.vcpusOnline, maxVcpus: d.maxVcpus, cpuWeight: d.cpuWeight, cpuCap: d.cpuCap,
                    type: d.type, disks: d.disks, nics: d.nics))
            var d = d
            d.name = observed.name
            d.uuid = observed.uuid
            d.type = observed.type
            d.disks = observed.disks
            d.nics = observed.nics
            return d
        }
        try L.count(configs.count, L.maxDomains, "configurations")
        file.configs = try configs.map { c throws(L.Violation) in try L.checked(c) }
        try L.count(storage.count, L.maxBridges, "storage")
        var volumes = 0, backups = 0
        var checkedStorage: [String: Container] = [:]
        for (name, container) in storage {
            let what = "storage \(shownValue(name))"
            try L.size(container.capacity, "the capacity of \(what)")
            volumes += container.volumes.count
            try L.count(volumes, L.maxVolumes, "volumes")
            var c = container
            c.volumes = [:]
            for (volume, size) in container.volumes {
                try L.size(size, "the size of volume \(shownValue(volume)) of \(what)")
                c.volumes[try L.text(volume, "a volume name of \(what)")] = size
            }
            c.owned = try container.owned.map { v throws(L.Violation) in try L.text(v, "an owned volume of \(what)") }
            c.contents = [:]
            for (volume, sha256) in container.contents {
                c.contents[try L.text(volume, "a volume name of \(what)")] =
                    try Self.checkedDigest(sha256, "the content of volume \(shownValue(volume)) of \(what)")
            }
            backups += container.backups.count
            try L.count(backups, Self.maxBackups, "backups")
            if !container.backups.isEmpty, container.type != .dir {
                throw L.Violation(field: "backups of \(what)", problem: "are only kept in a dir pool")
            }
            c.backups = try container.backups.map { r throws(L.Violation) in try Self.checked(r, of: what) }
            checkedStorage[try L.text(name, "a storage name")] = c
        }
        file.storage = checkedStorage
        try L.count(bridges.count, L.maxBridges, "bridges")
        var checkedBridges: [String: [String]] = [:]
        for (name, interfaces) in bridges {
            let what = "bridge \(shownValue(name))"
            try L.count(interfaces.count, L.maxBridgeInterfaces, "interfaces of \(what)")
            checkedBridges[try L.text(name, "a bridge name")] =
                try interfaces.map { i throws(L.Violation) in try L.text(i, "an interface of \(what)") }
        }
        file.bridges = checkedBridges
        try L.count(images.count, L.maxImages, "images")
        var checkedImages: [String: Image] = [:]
        for (path, image) in images {
            let what = "image \(shownValue(path))"
            try L.size(image.fileSize, "the file size of \(what)")
            try L.size(image.virtualSize, "the virtual size of \(what)")
            if let problem = image.problem { throw L.Violation(field: what, problem: problem) }
            checkedImages[try L.text(path, "an image path")] = image
        }
        file.images = checkedImages
        try L.count(seeds.count, L.maxSeeds, "seeds")
        var checkedSeeds: [String: String] = [:]
        for (domain, instanceId) in seeds {
            checkedSeeds[try L.text(domain, "a seed's domain")] =
                try L.text(instanceId, "the instance id of the seed of \(shownValue(domain))")
        }
        file.seeds = checkedSeeds
        try L.count(saves.count, L.maxDomains, "saves")
        file.saves = try saves.map { save throws(L.Violation) in
            let what = "the save file of \(shownValue(save.domain))"
            try L.size(save.size, "the size of \(what)")
            return SaveState(
                directory: try L.text(save.directory, "the directory of \(what)"),
                domain: try L.text(save.domain, "a save file's domain"), size: save.size, partial: save.partial)
        }
        try L.number(contentGeneration, 0...Int.max, "contentGeneration")
        for (kind, seconds) in latencies where !(seconds.isFinite && (0...86_400).contains(seconds)) {
            throw L.Violation(field: "latencies.\(shownValue(kind))", problem: "= \(seconds), outside 0–86400 seconds")
        }
        for (kind, failure) in failures {
            try L.number(failure.remaining, 0...Int.max, "failures.\(shownValue(kind)).remaining")
            file.failures[kind]?.message = try failure.message.map { m throws(L.Violation) in
                try L.text(m, "failures.\(shownValue(kind)).message")
            }
        }
        try L.size(balloonRatePerSecond, "balloonRatePerSecond")
        return file
    }

    /// Backups a host may hold, as observation bounds them.
    static let maxBackups = 10_000

    /// 64 lower-case hex digits, as `sha256sum` prints.
    static func checkedDigest(_ text: String, _ field: String) throws(HostStateLimits.Violation) -> String {
        let hex = text.utf8.allSatisfy { Syntax.isDigit($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
        guard text.utf8.count == 64, hex else {
            throw HostStateLimits.Violation(field: field, problem: "is \(shownValue(text)), not 64 lower-case hex digits")
        }
        return text
    }

    /// A backup record kept in a pool, every field bounded like a host's answer.
    static func checked(_ record: BackupRecord, of pool: String) throws(HostStateLimits.Violation) -> BackupRecord {
        typealias L = HostStateLimits
        let what = "backup \(shownValue(record.id)) of \(shownValue(record.domain)) in \(pool)"
        var r = record
        try L.number(record.format, 0...Int.max, "the format of \(what)")
        r.domain = try L.text(record.domain, "the domain of \(what)")
        r.id = try L.text(record.id, "the id of \(what)")
        r.directory = try L.text(record.directory, "the directory of \(what)")
        r.host = try L.text(record.host, "the host of \(what)")
        r.time = try L.text(record.time, "the time of \(what)")
        r.consistency = try L.text(record.consistency, "the consistency of \(what)")
        r.xenplanVersion = try L.text(record.xenplanVersion, "the xenplan version of \(what)")
        r.config = try record.config.map { c throws(L.Violation) in try L.checked(c) }
        try L.count(record.disks.count, L.maxDevices, "disks of \(what)")
        r.disks = try record.disks.map { d throws(L.Violation) in
            let disk = "disk \(shownValue(d.vdev)) of \(what)"
            try L.size(d.size, "the size of \(disk)")
            try L.size(d.storedSize, "the stored size of \(disk)")
            return BackupRecord.Disk(
                vdev: try L.text(d.vdev, "a disk of \(what)"), container: try L.text(d.container, "the container of \(disk)"),
                volume: try L.text(d.volume, "the volume of \(disk)"), size: d.size,
                file: try L.text(d.file, "the file of \(disk)"), compressed: d.compressed,
                sha256: try checkedDigest(d.sha256, "the sha256 of \(disk)"), storedSize: d.storedSize)
        }
        return r
    }
}
