import HostModel
import XenplanBasics

/// The rules every name, path, size and count in a request must meet before the agent
/// acts on it. They are the manifest's own rules (a client built from valid manifests
/// never trips them); they are checked again here because the agent trusts no client.
enum AgentValidation {
    /// A field that broke a rule: `field` is its path in the request (`operation.setMemory.domain`).
    struct Problem: Error, Equatable {
        var field: String
        var message: String
        var description: String { "\(field): \(message)" }
    }

    static let maxVcpus = 512
    static let weights = 1...65535
    /// The credit scheduler's cap is a percentage of one CPU: at most all of them.
    static let caps = 0...(100 * 512)
    static let shutdownTimeouts = 0...86_400

    // MARK: Operations

    static func check(_ operation: HostOperation) throws(Problem) {
        let at = "operation"
        switch operation {
        case let .save(domain, directory):
            try domainName(domain, "\(at).save.domain", transient: false)
            try path(directory, "\(at).save.directory")
        case let .restore(domain, directory):
            try domainName(domain, "\(at).restore.domain", transient: false)
            try path(directory, "\(at).restore.directory")
        case let .removeSave(domain, directory, _):
            try domainName(domain, "\(at).removeSave.domain", transient: false)
            try path(directory, "\(at).removeSave.directory")
        case let .backup(job):
            try check(job, "\(at).backup._0")
        case let .restoreVolume(container, name, size, source, _):
            try self.container(container, "\(at).restoreVolume.container")
            try volumeName(name, "\(at).restoreVolume.name")
            try self.size(size, "\(at).restoreVolume.size")
            try check(source, "\(at).restoreVolume.source")
        case let .receiveVolume(container, name, size):
            try volumeGroup(container, "\(at).receiveVolume.container")
            try received(name, "\(at).receiveVolume.name")
            try self.size(size, "\(at).receiveVolume.size")
        case let .sendVolume(transfer):
            try check(transfer, "\(at).sendVolume._0")
        case let .commitVolume(container, name):
            try volumeGroup(container, "\(at).commitVolume.container")
            try received(name, "\(at).commitVolume.name")
        case let .createVolumeFromImage(container, name, size, image):
            try self.container(container, "\(at).createVolumeFromImage.container")
            try volumeName(name, "\(at).createVolumeFromImage.name")
            try self.size(size, "\(at).createVolumeFromImage.size")
            if let (field, message) = image.firstProblem {
                throw Problem(field: "\(at).createVolumeFromImage.image.\(field)", message: message)
            }
        case let .writeSeed(seed):
            if let (field, message) = seed.firstProblem { throw Problem(field: "\(at).writeSeed._0.\(field)", message: message) }
        case let .createBridge(name, interface, vlan):
            try bridgeName(name, "\(at).createBridge.name")
            try port(interface, vlan, "\(at).createBridge")
        case let .writeBridgeFile(file):
            try bridgeName(file.bridge, "\(at).writeBridgeFile._0.bridge")
            try port(file.interface, file.vlan, "\(at).writeBridgeFile._0")
        case let .removeBridgeFile(bridge):
            try bridgeName(bridge, "\(at).removeBridgeFile.bridge")
        case let .createVolume(container, name, size), let .growVolume(container, name, size):
            let kind = operation.kind == "create-volume" ? "createVolume" : "growVolume"
            try self.container(container, "\(at).\(kind).container")
            try volumeName(name, "\(at).\(kind).name")
            try self.size(size, "\(at).\(kind).size")
        case let .removeVolume(container, name):
            try self.container(container, "\(at).removeVolume.container")
            try volumeName(name, "\(at).removeVolume.name")
        case let .writeConfig(config):
            try check(config, "\(at).writeConfig._0")
        case let .removeConfig(name):
            try domainName(name, "\(at).removeConfig.name", transient: false)
        case let .create(domain):
            try domainName(domain, "\(at).create.domain", transient: false)
        case let .setMemory(domain, target):
            try domainName(domain, "\(at).setMemory.domain")
            try size(target, "\(at).setMemory.target")
        case let .setVcpus(domain, count):
            try domainName(domain, "\(at).setVcpus.domain")
            try vcpus(count, "\(at).setVcpus.count")
        case let .setScheduler(domain, weight, cap):
            try domainName(domain, "\(at).setScheduler.domain")
            try range(weight, weights, "\(at).setScheduler.weight", what: "a credit scheduler weight")
            try range(cap, caps, "\(at).setScheduler.cap", what: "a cap in % of one CPU")
        case let .attachDisk(domain, disk):
            try domainName(domain, "\(at).attachDisk.domain")
            try check(disk, "\(at).attachDisk.disk")
        case let .detachDisk(domain, vdev):
            try domainName(domain, "\(at).detachDisk.domain")
            try self.vdev(vdev, "\(at).detachDisk.vdev")
        case let .attachNic(domain, nic):
            try domainName(domain, "\(at).attachNic.domain")
            try check(nic, "\(at).attachNic.nic")
        case let .detachNic(domain, mac):
            try domainName(domain, "\(at).detachNic.domain")
            try self.mac(mac, "\(at).detachNic.mac")
        case let .migrate(domain, toHost):
            try domainName(domain, "\(at).migrate.domain", transient: false)
            try hostName(toHost, "\(at).migrate.toHost")
        case let .shutdown(domain, timeout):
            try domainName(domain, "\(at).shutdown.domain")
            try range(timeout, shutdownTimeouts, "\(at).shutdown.timeoutSeconds", what: "a timeout in seconds")
        case let .destroy(domain):
            try domainName(domain, "\(at).destroy.domain")
        case let .discardMigrationCopy(domain, _):
            try domainName(domain, "\(at).discardMigrationCopy.domain", transient: false)
        case let .keepMigrationCopy(domain, _):
            try domainName(domain, "\(at).keepMigrationCopy.domain", transient: false)
        }
    }

    static func check(_ config: DomainConfig, _ at: String) throws(Problem) {
        try domainName(config.name, "\(at).name", transient: false)
        if let uuid = config.uuid { try self.uuid(uuid, "\(at).uuid") }
        guard ["pv", "pvh", "hvm"].contains(config.type) else {
            throw Problem(field: "\(at).type", message: "\(shown(config.type)) is not one of pv, pvh, hvm")
        }
        try size(config.memory, "\(at).memory")
        try size(config.maxmem, "\(at).maxmem")
        guard config.memory <= config.maxmem else {
            throw Problem(field: "\(at).memory", message: "\(config.memory) is above maxmem \(config.maxmem)")
        }
        try vcpus(config.vcpus, "\(at).vcpus")
        try vcpus(config.maxvcpus, "\(at).maxvcpus")
        guard config.vcpus <= config.maxvcpus else {
            throw Problem(field: "\(at).vcpus", message: "\(config.vcpus) is above maxvcpus \(config.maxvcpus)")
        }
        try range(config.cpuWeight, weights, "\(at).cpuWeight", what: "a credit scheduler weight")
        try range(config.cpuCap, caps, "\(at).cpuCap", what: "a cap in % of one CPU")
        if case let .kernel(kernel, ramdisk, cmdline) = config.boot {
            try path(kernel, "\(at).boot.kernel.kernel")
            if let ramdisk { try path(ramdisk, "\(at).boot.kernel.ramdisk") }
            if let cmdline, !Syntax.isCmdline(cmdline) {
                throw Problem(
                    field: "\(at).boot.kernel.cmdline",
                    message: "a kernel command line is at most 1024 printable ASCII characters without quotes or backslashes")
            }
        }
        guard config.disks.count <= 64, config.nics.count <= 64 else {
            throw Problem(field: at, message: "at most 64 disks and 64 network interfaces")
        }
        for (i, disk) in config.disks.enumerated() { try check(disk, "\(at).disks[\(i)]") }
        for (i, nic) in config.nics.enumerated() { try check(nic, "\(at).nics[\(i)]") }
        if let hvm = config.hvm {
            guard hvm.bootOrder.count <= DomainConfig.maxBootOrder else {
                throw Problem(field: "\(at).hvm.bootOrder", message: "at most \(DomainConfig.maxBootOrder) devices")
            }
            if let cdrom = hvm.cdrom { try path(cdrom, "\(at).hvm.cdrom") }
        }
        // How it boots against its type, the firmware devices, the interfaces together.
        if let (field, message) = config.guestProblem { throw Problem(field: "\(at).\(field)", message: message) }
        if let seed = config.seed, let (field, message) = CloudInitSeed.problem(of: seed, in: config) {
            throw Problem(field: "\(at).seed.\(field)", message: message)
        }
        guard config.manifestHash.utf8.count <= 128,
            config.manifestHash.utf8.allSatisfy({ Syntax.isAlnum($0) || ":_-".utf8.contains($0) })
        else {
            throw Problem(field: "\(at).manifestHash", message: "at most 128 of A-Z, a-z, 0-9, ':', '_', '-'")
        }
    }

    static func check(_ disk: DomainConfig.Disk, _ at: String) throws(Problem) {
        try vdev(disk.vdev, "\(at).vdev")
        try path(disk.target, "\(at).target")
    }

    static func check(_ nic: DomainConfig.Nic, _ at: String) throws(Problem) {
        try bridgeName(nic.bridge, "\(at).bridge")
        if let mac = nic.mac { try self.mac(mac, "\(at).mac") }
        if let ip = nic.ip, !Syntax.isIPv4(ip) {
            throw Problem(field: "\(at).ip", message: "\(shown(ip)) is not an IPv4 address")
        }
        if let rate = nic.rate, !Syntax.isVifRate(rate) {
            throw Problem(field: "\(at).rate", message: "\(shown(rate)) is not a rate like 10Mb/s")
        }
        if let vifname = nic.vifname, !Syntax.isVifName(vifname) {
            throw Problem(field: "\(at).vifname", message: "\(shown(vifname)) is not an interface name other than vifD.N")
        }
    }

    static func check(_ record: LockRecord, _ at: String) throws(Problem) {
        try text(record.user, "\(at).user", max: 64)
        try text(record.machine, "\(at).machine", max: 255)
        try text(record.time, "\(at).time", max: 64)
        try text(record.command, "\(at).command", max: 256)
        try text(record.runID, "\(at).runID", max: 128)
        guard record.pid > 0 else { throw Problem(field: "\(at).pid", message: "a process id is positive, not \(record.pid)") }
        for (value, name) in [(record.bootID, "bootID"), (record.machineID, "machineID")] {
            guard let value else { continue }
            guard (1...64).contains(value.utf8.count), value.utf8.allSatisfy({ Syntax.isHex($0) || $0 == UInt8(ascii: "-") }) else {
                throw Problem(field: "\(at).\(name)", message: "1 to 64 hexadecimal digits and '-'")
            }
        }
    }

    // MARK: Fields

    /// `[a-z0-9][a-z0-9.-]{0,62}`, optionally with the suffix libxl gives a domain during a migration.
    static func domainName(_ s: String, _ field: String, transient: Bool = true) throws(Problem) {
        var base = s
        if transient {
            for suffix in ["--incoming", "--migratedaway"] where s.hasSuffix(suffix) {
                base = String(s.dropLast(suffix.count))
            }
        }
        guard Syntax.isName(base) else {
            throw Problem(
                field: field,
                message:
                    "\(shown(s)) is not a domain name ([a-z0-9][a-z0-9.-]{0,62}\(transient ? ", optionally with --incoming or --migratedaway" : ""))")
        }
    }

    static func bridgeName(_ s: String, _ field: String) throws(Problem) {
        guard Syntax.isName(s), s.utf8.count <= 15 else {
            throw Problem(field: field, message: "\(shown(s)) is not a bridge name (1 to 15 of a-z, 0-9, '.', '-')")
        }
    }

    /// A bridge's port: an interface name, and with a VLAN id (1–4094, only with an
    /// interface) a VLAN interface name `IFACE.VLAN` that still fits 15 characters.
    static func port(_ interface: String?, _ vlan: Int?, _ at: String) throws(Problem) {
        if let interface { try interfaceName(interface, "\(at).interface") }
        guard let vlan else { return }
        guard let interface else { throw Problem(field: "\(at).vlan", message: "a VLAN needs an interface") }
        try range(vlan, BridgeFile.vlanRange, "\(at).vlan", what: "a VLAN id")
        guard Syntax.isInterfaceName("\(interface).\(vlan)") else {
            throw Problem(field: "\(at).vlan", message: "\(shown("\(interface).\(vlan)")) is longer than an interface name (15 characters)")
        }
    }

    static func interfaceName(_ s: String, _ field: String) throws(Problem) {
        guard Syntax.isInterfaceName(s) else {
            throw Problem(field: field, message: "\(shown(s)) is not an interface name (1 to 15 of A-Z, a-z, 0-9, '.', '_', '-')")
        }
    }

    /// A volume group name (LVM's rule), or the absolute path of a `dir` pool.
    static func container(_ s: String, _ field: String) throws(Problem) {
        if s.hasPrefix("/") {
            try path(s, field)
            return
        }
        guard Syntax.isVolumeGroup(s) else {
            throw Problem(field: field, message: "\(shown(s)) is neither a volume group name nor an absolute path")
        }
    }

    static func volumeGroup(_ s: String, _ field: String) throws(Problem) {
        guard Syntax.isVolumeGroup(s) else {
            throw Problem(
                field: field,
                message:
                    "\(shown(s)) is not a volume group name (1 to 127 of A-Z, a-z, 0-9, '+', '_', '.', '-', not starting with '-', not '.' or '..')")
        }
    }

    static func volumeName(_ s: String, _ field: String) throws(Problem) {
        guard Syntax.isVolumeGroup(s) else {
            throw Problem(
                field: field, message: "\(shown(s)) is not a volume name (1 to 127 of A-Z, a-z, 0-9, '+', '_', '.', '-', not starting with '-')")
        }
    }

    static func size(_ size: ByteSize, _ field: String) throws(Problem) {
        guard size.kib > 0, size <= ByteSize.maximum else {
            throw Problem(field: field, message: "a size is positive and at most 1 PiB, not \(size.kib) KiB")
        }
    }

    static func vcpus(_ n: Int, _ field: String) throws(Problem) {
        try range(n, 1...maxVcpus, field, what: "a vCPU count")
    }

    static func range(_ n: Int, _ range: ClosedRange<Int>, _ field: String, what: String) throws(Problem) {
        guard range.contains(n) else {
            throw Problem(field: field, message: "\(what) is \(range.lowerBound) to \(range.upperBound), not \(n)")
        }
    }

    /// Absolute, no `..` component, no character a shell or an `xl` configuration would
    /// treat specially.
    static func path(_ s: String, _ field: String) throws(Problem) {
        switch Syntax.pathProblem(s) {
        case nil: return
        case .tooLong: throw Problem(field: field, message: "a path is at most 1024 bytes")
        case let .forbiddenCharacter(bad):
            throw Problem(field: field, message: "\(shown(s)) has a character not allowed in a path: \(shown(String(bad)))")
        case .notAbsolute: throw Problem(field: field, message: "\(shown(s)) is not an absolute path")
        case .parentComponent, .root: throw Problem(field: field, message: "\(shown(s)) is the root or has a '..' component")
        }
    }

    static func vdev(_ s: String, _ field: String) throws(Problem) {
        guard Syntax.isVdev(s, hvm: true) else {
            throw Problem(field: field, message: "\(shown(s)) is not a virtual device name (xvda, xvdb1, sda, hda)")
        }
    }

    static func mac(_ s: String, _ field: String) throws(Problem) {
        guard Syntax.normalisedMAC(s) != nil else {
            throw Problem(field: field, message: "\(shown(s)) is not a MAC address (xx:xx:xx:xx:xx:xx)")
        }
    }

    static func uuid(_ s: String, _ field: String) throws(Problem) {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false).map(\.utf8.count)
        guard parts == [8, 4, 4, 4, 12], s.utf8.allSatisfy({ Syntax.isHex($0) || $0 == UInt8(ascii: "-") }) else {
            throw Problem(field: field, message: "\(shown(s)) is not a UUID")
        }
    }

    /// A DNS name or IPv4 address, never starting with `-` or `.`.
    static func hostName(_ s: String, _ field: String) throws(Problem) {
        guard Syntax.isHostName(s) else {
            throw Problem(field: field, message: "\(shown(s)) is not a host name")
        }
    }

    /// Free text shown to people (lock records): no control characters, bounded.
    static func text(_ s: String, _ field: String, max: Int) throws(Problem) {
        guard (1...max).contains(s.utf8.count), !s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw Problem(field: field, message: "1 to \(max) bytes without control characters")
        }
    }

    /// A hello's `concurrency`: how many operations to serve at once.
    static func concurrency(_ n: Int64) throws(Problem) {
        guard (1...Int64(AgentProtocol.maxConcurrency)).contains(n) else {
            throw Problem(field: "concurrency", message: "\(n) is not a number of operations served at once (1 to \(AgentProtocol.maxConcurrency))")
        }
    }
}

/// A value from a request as a message may show it: quoted, escaped, cut short.
func shown(_ text: String, limit: Int = 48) -> String { shownValue(text, limit: limit) }
