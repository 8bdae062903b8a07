import HostModel
import XenplanBasics

extension XlConfig {
    /// One value of the subset xenplan writes: a number, a quoted string, or a list of
    /// quoted strings.
    enum Value: Equatable {
        case number(Int64)
        case string(String)
        case list([String])
    }

    /// Parses a file xenplan wrote back into a `DomainConfig`. `autostart` is not in the
    /// file (it is the `/etc/xen/auto` link) and is left to the caller. Anything outside
    /// the written subset is an error naming the line, since it means someone edited it.
    public static func parse(_ text: String, file: String = "config") throws(XlConfigError) -> DomainConfig {
        var hash = "", protect = false, sawHeader = false
        var manifestFile: String?
        var seedIdentity: [String: String]?
        var values: [String: Value] = [:]
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).enumerated().makeIterator()
        while let (index, raw) = lines.next() {
            let line = raw.trimmingSpaces()
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                if raw == headerLine { sawHeader = true }
                if raw.hasPrefix(hashPrefix) { hash = String(raw.dropFirst(hashPrefix.count)) }
                if raw.hasPrefix(protectPrefix) { protect = raw.dropFirst(protectPrefix.count) == "true" }
                if raw.hasPrefix(manifestFilePrefix) {
                    let name = String(raw.dropFirst(manifestFilePrefix.count))
                    if validFileName(name) { manifestFile = name }
                }
                if raw.hasPrefix(seedPrefix) { seedIdentity = parseSeedSummary(String(raw.dropFirst(seedPrefix.count))) }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { throw XlConfigError("\(file):\(index + 1): expected 'key = value'") }
            let key = String(line[..<eq]).trimmingSpaces()
            var rest = String(line[line.index(after: eq)...]).trimmingSpaces()
            if rest.hasPrefix("[") {
                // A list may span lines until its closing bracket.
                while !rest.hasSuffix("]") {
                    guard let (_, next) = lines.next() else { throw XlConfigError("\(file):\(index + 1): list '\(key)' is not closed") }
                    rest += " " + next.trimmingSpaces()
                }
                values[key] = .list(try parseList(rest, file: file, line: index + 1))
            } else if rest.hasPrefix("\"") || rest.hasPrefix("'") {
                values[key] = .string(try unquote(rest, file: file, line: index + 1))
            } else if let n = Int64(rest) {
                values[key] = .number(n)
            } else {
                throw XlConfigError("\(file):\(index + 1): value of '\(key)' is not a number, string or list")
            }
        }
        guard sawHeader else { throw XlConfigError("\(file): not written by xenplan (no header)") }
        var config = try build(values, hash: hash, protect: protect, file: file)
        config.manifestFile = manifestFile
        // Only a file with the seed line has a seed: a disk that happens to point at the
        // seed path stays a disk, which the plan then shows.
        if let seedIdentity, let last = config.disks.last, last.readOnly, last.target == CloudInitSeed.path(domain: config.name) {
            config.disks.removeLast()
            config.seed = DomainConfig.Seed(vdev: last.vdev, target: last.target, identity: seedIdentity)
        }
        return config
    }

    /// The words of the seed line; nil when one is not `key=value` of the written subset.
    static func parseSeedSummary(_ text: String) -> [String: String]? {
        var identity: [String: String] = [:]
        for word in text.split(separator: " ") {
            let kv = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard kv.count == 2, CloudInitSeed.isSummaryKey(kv[0]), CloudInitSeed.isSummaryValue(kv[1]), identity[kv[0]] == nil else { return nil }
            identity[kv[0]] = kv[1]
        }
        return identity.isEmpty ? nil : identity
    }

    private static func build(_ v: [String: Value], hash: String, protect: Bool, file: String) throws(XlConfigError) -> DomainConfig {
        func string(_ k: String) -> String? { if case let .string(s)? = v[k] { return s }; return nil }
        func number(_ k: String) -> Int64? { if case let .number(n)? = v[k] { return n }; return nil }
        func list(_ k: String) -> [String] { if case let .list(l)? = v[k] { return l }; return [] }
        guard let name = string("name") else { throw XlConfigError("\(file): no 'name'") }
        guard let memory = number("memory") else { throw XlConfigError("\(file): no 'memory'") }
        let maxmem = number("maxmem") ?? memory
        let vcpus = Int(number("vcpus") ?? 1)
        let type = string("type") ?? "pv"
        var disks: [DomainConfig.Disk] = []
        var cdrom: String?
        for spec in list("disk") {
            let disk = try parseDisk(spec, file: file)
            if isCdrom(spec) { cdrom = disk.target } else { disks.append(disk) }
        }
        let boot: DomainConfig.Boot
        var hvm: DomainConfig.Hvm?
        if type == "hvm" {
            boot = .firmware(string("bios") == biosName(.uefi) ? .uefi : .bios)
            hvm = try parseHvm(string, number, cdrom: cdrom, file: file)
        } else if let kernel = string("kernel") {
            boot =
                kernel == pvgrubKernel(type: type)
                ? .pvgrub : .kernel(kernel: kernel, ramdisk: string("ramdisk"), cmdline: string("cmdline") ?? string("extra"))
        } else {
            boot = .pygrub
        }
        if cdrom != nil && hvm == nil { throw XlConfigError("\(file): a CD-ROM drive on a \(type) guest") }
        let nics = list("vif").map(parseVif)
        return DomainConfig(
            name: name, uuid: string("uuid"), type: type, memory: .mib(memory),
            maxmem: .mib(maxmem), vcpus: vcpus, maxvcpus: Int(number("maxvcpus") ?? Int64(vcpus)),
            cpuWeight: Int(number("cpu_weight") ?? 256), cpuCap: Int(number("cap") ?? 0), boot: boot,
            disks: disks, nics: nics, hvm: hvm, protect: protect, autostart: false, manifestHash: hash)
    }

    /// An HVM guest's devices as written by `hvmLines`; xl's defaults for what is absent
    /// (VNC on, on 127.0.0.1).
    private static func parseHvm(
        _ string: (String) -> String?, _ number: (String) -> Int64?, cdrom: String?, file: String
    ) throws(XlConfigError) -> DomainConfig.Hvm {
        var order: [DomainConfig.Hvm.BootDevice] = []
        for letter in string("boot") ?? "" {
            guard let device = DomainConfig.Hvm.BootDevice(letter: letter) else {
                throw XlConfigError("\(file): boot order \(shownValue(string("boot") ?? "")) has a device other than c, d, n")
            }
            order.append(device)
        }
        let vnc =
            number("vnc") == 0
            ? nil
            : DomainConfig.Hvm.Vnc(
                listen: string("vnclisten") ?? DomainConfig.Hvm.Vnc.defaultListen, display: number("vncdisplay").map { Int($0) })
        let serial = string("serial").flatMap(DomainConfig.Hvm.Serial.init(rawValue:)) ?? .pty
        return DomainConfig.Hvm(bootOrder: order, cdrom: cdrom, vnc: vnc, serial: serial, viridian: (number("viridian") ?? 0) != 0)
    }

    /// A disk line of the emulated CD-ROM drive.
    static func isCdrom(_ spec: String) -> Bool {
        spec.split(separator: ",").contains { String($0).trimmingSpaces() == "devtype=cdrom" }
    }

    /// `format=raw, vdev=xvda2, access=rw, target=/dev/vg/lv`, or the older positional
    /// `phy:/dev/vg/lv,xvda2,w`.
    static func parseDisk(_ spec: String, file: String) throws(XlConfigError) -> DomainConfig.Disk {
        var vdev: String?, target: String?, readOnly = false
        if let range = spec.firstRange(of: "target=") {
            target = String(spec[range.upperBound...]).trimmingSpaces()
            for part in spec[..<range.lowerBound].split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces() }
                guard kv.count == 2 else { continue }
                if kv[0] == "vdev" { vdev = kv[1] }
                if kv[0] == "access" || kv[0] == "mode" { readOnly = kv[1].hasPrefix("r") && kv[1] != "rw" }
            }
        } else {
            let parts = spec.split(separator: ",").map { String($0).trimmingSpaces() }
            if parts.count >= 2 {
                let t = parts[0]
                target = t.firstIndex(of: ":").map { String(t[t.index(after: $0)...]) } ?? t
                vdev = parts[1]
                readOnly = parts.count > 2 && parts[2] == "r"
            }
        }
        guard let vdev, let target else { throw XlConfigError("\(file): disk '\(spec)' has no vdev or target") }
        return DomainConfig.Disk(vdev: vdev, target: target, readOnly: readOnly)
    }

    static func parseVif(_ spec: String) -> DomainConfig.Nic {
        var fields: [String: String] = [:]
        for part in spec.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces() }
            if kv.count == 2 { fields[kv[0]] = kv[1] }
        }
        return DomainConfig.Nic(
            bridge: fields["bridge"] ?? "xenbr0", mac: fields["mac"], ip: fields["ip"], rate: fields["rate"], vifname: fields["vifname"])
    }

    private static func unquote(_ s: String, file: String, line: Int) throws(XlConfigError) -> String {
        guard let q = s.first, s.count >= 2, s.last == q else { throw XlConfigError("\(file):\(line): unterminated string") }
        let inner = s.dropFirst().dropLast()
        guard !inner.contains(q), !inner.contains("\\") else { throw XlConfigError("\(file):\(line): unsupported string \(s)") }
        return String(inner)
    }

    private static func parseList(_ s: String, file: String, line: Int) throws(XlConfigError) -> [String] {
        var items: [String] = []
        var body = Substring(s.dropFirst().dropLast())
        while true {
            body = body.drop { $0 == " " || $0 == "," || $0 == "\t" }
            guard let q = body.first else { break }
            guard q == "'" || q == "\"" else { throw XlConfigError("\(file):\(line): list item is not a quoted string") }
            let after = body.dropFirst()
            guard let end = after.firstIndex(of: q) else { throw XlConfigError("\(file):\(line): unterminated string in list") }
            items.append(String(after[..<end]))
            body = after[after.index(after: end)...]
        }
        return items
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
