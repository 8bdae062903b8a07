import FoundationEssentials
import HostModel
import XenplanBasics

/// One parsed `sim xl` command line.
enum SimXlCommand: Hashable, Sendable {
    case operation(HostOperation)
    case createUnmanaged(DomainConfig, balloonDriver: Bool, ignoresShutdown: Bool)
    case personShutdown(String)
    case crash(String)
    case noBalloon(String)
    case ignoreShutdown(String)
    case schedCredit(domain: String, weight: Int?, cap: Int?)
    case addContainer(String, capacity: ByteSize, shared: Bool)
    case setLatency(kind: String, seconds: Double)
    case setBalloonRate(ByteSize)
    case writeVolume(container: String, name: String)
    case reboot
    case editBridgeFile(String)

    static func parse(_ argv: [String]) throws -> SimXlCommand {
        guard let verb = argv.first else { throw SimXlError("missing command") }
        let args = Array(argv.dropFirst())
        func expect(_ count: Int, _ names: String) throws {
            guard args.count == count else {
                throw SimXlError("'\(verb)' takes \(count) argument\(count == 1 ? "" : "s") (\(names)), got \(args.count)")
            }
        }
        switch verb {
        case "mem-set":
            try expect(2, "DOMAIN SIZE")
            return .operation(.setMemory(domain: args[0], target: try size(args[1], what: "memory size")))
        case "vcpu-set":
            try expect(2, "DOMAIN N")
            return .operation(.setVcpus(domain: args[0], count: try int(args[1], what: "vCPU count")))
        case "sched-credit":
            return try parseSchedCredit(args)
        case "create":
            guard let name = args.first else { throw SimXlError("'create' needs a domain name") }
            return try parseCreate(name: name, Array(args.dropFirst()))
        case "shutdown":
            try expect(1, "DOMAIN")
            return .personShutdown(args[0])
        case "destroy":
            try expect(1, "DOMAIN")
            return .operation(.destroy(domain: args[0]))
        case "crash":
            try expect(1, "DOMAIN")
            return .crash(args[0])
        case "no-balloon":
            try expect(1, "DOMAIN")
            return .noBalloon(args[0])
        case "ignore-shutdown":
            try expect(1, "DOMAIN")
            return .ignoreShutdown(args[0])
        case "rm-config":
            try expect(1, "NAME")
            return .operation(.removeConfig(name: args[0]))
        case "save", "restore", "rm-save":
            guard args.count == 1 || args.count == 2 else {
                throw SimXlError("'\(verb)' takes DOMAIN [DIRECTORY]")
            }
            let directory = args.count == 2 ? args[1] : SaveState.defaultDirectory
            guard directory.hasPrefix("/") else { throw SimXlError("'\(directory)' is not an absolute directory") }
            switch verb {
            case "save": return .operation(.save(domain: args[0], directory: directory))
            case "restore": return .operation(.restore(domain: args[0], directory: directory))
            default: return .operation(.removeSave(domain: args[0], directory: directory, partial: false))
            }
        case "write":
            try expect(1, "CONTAINER/NAME")
            let (container, name) = try containerAndName(args[0])
            return .writeVolume(container: container, name: name)
        case "lvcreate":
            try expect(3, "CONTAINER NAME SIZE")
            return .operation(
                .createVolume(
                    container: args[0], name: try volumeName(args[1]),
                    size: try size(args[2], what: "volume size")))
        case "lvremove":
            try expect(1, "CONTAINER/NAME")
            let (container, name) = try containerAndName(args[0])
            return .operation(.removeVolume(container: container, name: name))
        case "vgcreate":
            guard args.count == 2 || (args.count == 3 && args[2] == "shared") else {
                throw SimXlError("'vgcreate' takes CONTAINER SIZE [shared]")
            }
            return .addContainer(args[0], capacity: try size(args[1], what: "capacity"), shared: args.count == 3)
        case "brctl":
            guard args.first == "addbr", args.count == 2 || args.count == 3 else {
                throw SimXlError("'brctl' takes addbr BRIDGE [INTERFACE]")
            }
            return .operation(.createBridge(name: args[1], interface: args.count == 3 ? args[2] : nil))
        case "reboot":
            try expect(0, "")
            return .reboot
        case "edit-bridge-file":
            try expect(1, "BRIDGE")
            return .editBridgeFile(args[0])
        case "rm-bridge-file":
            try expect(1, "BRIDGE")
            return .operation(.removeBridgeFile(bridge: args[0]))
        case "set-latency":
            try expect(2, "KIND SECONDS")
            guard HostOperation.allKinds.contains(args[0]) else {
                throw SimXlError("unknown operation kind '\(args[0])'; one of: \(HostOperation.allKinds.joined(separator: ", "))")
            }
            guard let seconds = Double(args[1]), seconds.isFinite, seconds >= 0 else {
                throw SimXlError("'\(args[1])' is not a number of seconds")
            }
            return .setLatency(kind: args[0], seconds: seconds)
        case "set-balloon-rate":
            try expect(1, "SIZE")
            return .setBalloonRate(try size(args[0], what: "rate"))
        default:
            throw SimXlError("unknown command '\(verb)'")
        }
    }

    /// `vg18/www-root`, `/srv/pool/www-root`: split at the last slash.
    private static func containerAndName(_ text: String) throws -> (String, String) {
        guard let slash = text.lastIndex(of: "/"), slash != text.startIndex, text.index(after: slash) != text.endIndex else {
            throw SimXlError("'\(text)' is not CONTAINER/NAME")
        }
        return (String(text[..<slash]), String(text[text.index(after: slash)...]))
    }

    private static func size(_ text: String, what: String) throws -> ByteSize {
        do {
            return try ByteSize.parse(text)
        } catch {
            throw SimXlError("'\(text)' is not a \(what) (examples: 512M, 1G, 2048)")
        }
    }

    private static func int(_ text: String, what: String) throws -> Int {
        guard let value = Int(text) else { throw SimXlError("'\(text)' is not a \(what)") }
        return value
    }

    private static func volumeName(_ text: String) throws -> String {
        guard !text.isEmpty, !text.contains("/"), text != ".", text != ".." else {
            throw SimXlError("'\(text)' is not a volume name")
        }
        return text
    }

    private static func parseSchedCredit(_ args: [String]) throws -> SimXlCommand {
        var domain: String?, weight: Int?, cap: Int?
        var i = 0
        while i < args.count {
            guard i + 1 < args.count else { throw SimXlError("'\(args[i])' needs a value") }
            switch args[i] {
            case "-d": domain = args[i + 1]
            case "-w": weight = try int(args[i + 1], what: "weight")
            case "-c": cap = try int(args[i + 1], what: "cap")
            default: throw SimXlError("unknown sched-credit option '\(args[i])'")
            }
            i += 2
        }
        guard let domain else { throw SimXlError("'sched-credit' needs -d DOMAIN") }
        return .schedCredit(domain: domain, weight: weight, cap: cap)
    }

    private static func parseCreate(name: String, _ pairs: [String]) throws -> SimXlCommand {
        var memory: ByteSize?, maxmem: ByteSize?, vcpus = 1, maxvcpus: Int?, weight = 256, cap = 0
        var type = "pv", uuid: String?, balloon = true, ignores = false
        var disks: [DomainConfig.Disk] = [], nics: [DomainConfig.Nic] = []
        func yesNo(_ key: String, _ value: String) throws -> Bool {
            switch value {
            case "yes", "true", "1": return true
            case "no", "false", "0": return false
            default: throw SimXlError("\(key) must be yes or no, not '\(value)'")
            }
        }
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw SimXlError("'\(pair)' is not KEY=VALUE")
            }
            let key = String(pair[..<eq]), value = String(pair[pair.index(after: eq)...])
            switch key {
            case "memory": memory = try size(value, what: "memory size")
            case "maxmem": maxmem = try size(value, what: "memory size")
            case "vcpus": vcpus = try int(value, what: "vCPU count")
            case "maxvcpus": maxvcpus = try int(value, what: "vCPU count")
            case "weight": weight = try int(value, what: "weight")
            case "cap": cap = try int(value, what: "cap")
            case "type":
                guard ["pv", "pvh", "hvm"].contains(value) else { throw SimXlError("type must be pv, pvh or hvm") }
                type = value
            case "uuid": uuid = value
            case "balloon": balloon = try yesNo(key, value)
            case "ignore-shutdown": ignores = try yesNo(key, value)
            case "bridge":
                guard !value.isEmpty else { throw SimXlError("bridge needs a name") }
                nics.append(DomainConfig.Nic(bridge: value, mac: nil, ip: nil))
            case "vif": nics.append(try parseVif(value))
            case "disk": disks.append(try parseDisk(value))
            default:
                throw SimXlError("unknown create key '\(key)'")
            }
        }
        guard let memory else { throw SimXlError("'create' needs memory=SIZE") }
        let max = maxmem ?? memory
        guard memory <= max else { throw SimXlError("memory \(memory) is above maxmem \(max)") }
        let maxv = maxvcpus ?? vcpus
        guard vcpus >= 1, vcpus <= maxv else { throw SimXlError("vcpus must be between 1 and maxvcpus (\(maxv))") }
        let config = DomainConfig(
            name: name, uuid: uuid, type: type, memory: memory, maxmem: max, vcpus: vcpus,
            maxvcpus: maxv, cpuWeight: weight, cpuCap: cap, disks: disks, nics: nics)
        return .createUnmanaged(config, balloonDriver: balloon, ignoresShutdown: ignores)
    }

    /// `bridge=xenbr0,mac=00:16:3e:..,ip=..,rate=10Mb/s,vifname=web0`, the xl.cfg vif syntax.
    private static func parseVif(_ value: String) throws -> DomainConfig.Nic {
        var bridge: String?, mac: String?, ip: String?, rate: String?, vifname: String?
        for part in value.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw SimXlError("vif part '\(part)' is not KEY=VALUE") }
            switch kv[0] {
            case "bridge": bridge = kv[1]
            case "mac": mac = kv[1]
            case "ip": ip = kv[1]
            case "rate":
                guard Syntax.isVifRate(kv[1]) else { throw SimXlError("rate '\(kv[1])' is not like 10Mb/s") }
                rate = kv[1]
            case "vifname":
                guard Syntax.isVifName(kv[1]) else { throw SimXlError("vifname '\(kv[1])' is not an interface name") }
                vifname = kv[1]
            default: throw SimXlError("unknown vif key '\(kv[0])'")
            }
        }
        guard let bridge else { throw SimXlError("vif needs bridge=BRIDGE") }
        return DomainConfig.Nic(bridge: bridge, mac: mac, ip: ip, rate: rate, vifname: vifname)
    }

    /// `xvda:/dev/vg18/www-root[:ro]`.
    private static func parseDisk(_ value: String) throws -> DomainConfig.Disk {
        var parts = value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var readOnly = false
        if parts.count == 3, parts[2] == "ro" || parts[2] == "rw" {
            readOnly = parts.removeLast() == "ro"
        }
        guard parts.count == 2, !parts[0].isEmpty, parts[1].hasPrefix("/") else {
            throw SimXlError("disk '\(value)' is not VDEV:/PATH[:ro]")
        }
        return DomainConfig.Disk(vdev: parts[0], target: parts[1], readOnly: readOnly)
    }
}
