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
        var volumes = 0
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
}
