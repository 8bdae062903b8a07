import HostModel
import XenplanBasics

/// Fingerprints of observed objects, so that `apply PLANFILE` can tell whether the hosts
/// changed since the plan was made.
///
/// Each object is described by a compact summary (field → value text); its fingerprint
/// is FNV-1a-64 over the summary's `field=value` lines in field order. Values that move
/// on their own are left out, or a plan would go stale while nobody touched anything:
/// a domain's actual pages (`tot_pages` lags its target while ballooning), its domid,
/// its run state beyond up/down (running ↔ blocked flips all the time), and a host's free
/// memory (it moves with every balloon).
extension Planner {
    public static func fingerprints(of hosts: [HostState]) -> [String: String] {
        var result: [String: String] = [:]
        forEachObject(of: hosts) { key, fields in result[key] = fingerprint(of: fields) }
        return result
    }

    /// The compact description of every observed object, by fingerprint key.
    public static func objectSummaries(of hosts: [HostState]) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        forEachObject(of: hosts) { key, fields in result[key] = Dictionary(uniqueKeysWithValues: fields) }
        return result
    }

    /// Summaries of the objects whose key `wanted` accepts (the plan keeps those of the
    /// objects its actions and notices name, so that the saved plan stays small).
    static func objectSummaries(of hosts: [HostState], where wanted: (String) -> Bool) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        forEachObject(of: hosts, where: wanted) { key, fields in result[key] = Dictionary(uniqueKeysWithValues: fields) }
        return result
    }

    /// Exact and readable: whole MiB when possible, else KiB. (`ByteSize.description`
    /// rounds, and two sizes that print alike must not fingerprint alike.)
    static func exact(_ b: ByteSize) -> String { b.kib % 1024 == 0 ? "\(b.kib / 1024) MiB" : "\(b.kib) KiB" }

    /// Calls `body` with every observed object's key and fields, fields sorted by name.
    static func forEachObject(of hosts: [HostState], where wanted: (String) -> Bool = { _ in true },
                              _ body: (String, [(String, String)]) -> Void) {
        for h in hosts {
            let hostKey = "host/\(h.name)"
            if wanted(hostKey) { body(hostKey, [
                ("cpus", "\(h.cpus)"), ("dom0 memory", exact(h.dom0Memory)), ("total memory", exact(h.totalMemory)),
                ("xen version", h.xenVersion),
            ]) }
            for d in h.domains where d.domid != 0 {
                let key = "domain/\(h.name)/\(d.name)" + (d.transient.map { "--\($0.rawValue)" } ?? "")
                guard wanted(key) else { continue }
                body(key, [
                    ("disks", d.disks.map { "\(Normalize.vdev($0.vdev))=\($0.target)\($0.readOnly ? " ro" : "")" }.sorted().joined(separator: ", ")),
                    ("interfaces", d.nics.map { "\($0.bridge) \(Normalize.mac($0.mac) ?? "")\($0.ip.map { " " + $0 } ?? "")" }.joined(separator: ", ")),
                    ("maxmem", exact(d.memoryStaticMax)), ("maxvcpus", "\(d.maxVcpus)"),
                    ("memory target", exact(d.memoryTarget)),
                    ("scheduler", "weight \(d.cpuWeight), cap \(d.cpuCap)"),
                    ("state", d.state.isUp ? "up" : d.state.rawValue), ("type", d.type), ("uuid", d.uuid),
                    ("vcpus", "\(d.vcpusOnline)"),
                ])
            }
            for c in h.configs {
                let key = "config/\(h.name)/\(c.name)"
                guard wanted(key) else { continue }
                let boot: String
                switch c.boot {
                case .pygrub: boot = "pygrub"
                case let .kernel(k, r, cmd): boot = "kernel \(k) ramdisk \(r ?? "-") cmdline \(cmd ?? "-")"
                }
                body(key, [
                    ("autostart", "\(c.autostart)"), ("boot", boot),
                    ("disks", c.disks.map { "\($0.vdev)=\($0.target)\($0.readOnly ? " ro" : "")" }.joined(separator: ", ")),
                    ("interfaces", c.nics.map { "\($0.bridge) \($0.mac ?? "")\($0.ip.map { " " + $0 } ?? "")" }.joined(separator: ", ")),
                    ("manifest hash", c.manifestHash), ("maxmem", exact(c.maxmem)), ("maxvcpus", "\(c.maxvcpus)"),
                    ("memory", exact(c.memory)), ("protect", "\(c.protect)"),
                    ("scheduler", "weight \(c.cpuWeight), cap \(c.cpuCap)"), ("type", c.type), ("uuid", c.uuid ?? ""),
                    ("vcpus", "\(c.vcpus)"),
                ])
            }
            for v in h.volumes {
                let key = "volume/\(h.name)/\(v.container)/\(v.name)"
                if wanted(key) { body(key, [("size", exact(v.size))]) }
            }
            for b in h.bridges {
                let key = "bridge/\(h.name)/\(b.name)"
                if wanted(key) { body(key, [("interfaces", b.interfaces.sorted().joined(separator: ", "))]) }
            }
        }
    }

    /// FNV-1a-64 of the summary's `field=value` lines in field order, as 16 hex digits.
    public static func fingerprint(of summary: [String: String]) -> String {
        fingerprint(of: summary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    static func fingerprint(of fields: [(String, String)]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        for (key, value) in fields {
            for byte in key.utf8 { mix(byte) }
            mix(UInt8(ascii: "="))
            for byte in value.utf8 { mix(byte) }
            mix(UInt8(ascii: "\n"))
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension Plan {
    /// Messages naming every object the plan depends on that differs in `observed`
    /// (re-observed just before applying), e.g. `domain www on cpt18: memory target
    /// 512 MiB → 768 MiB since the plan was made`. Empty when the plan is still current.
    /// Only hosts that were observed again are compared.
    public func staleObjects(comparedWith observed: [HostState]) -> [String] {
        let summaries = Planner.objectSummaries(of: observed)
        let hosts = Set(observed.map(\.name))
        var messages: [String] = []
        let keys = Set(fingerprints.keys).union(summaries.keys).sorted()
        for key in keys {
            let parts = key.split(separator: "/", maxSplits: 2).map(String.init)
            guard parts.count >= 2, hosts.contains(parts[1]) else { continue }
            let name = Self.describe(key)
            guard let now = summaries[key] else {
                messages.append("\(name): gone since the plan was made")
                continue
            }
            guard let then = fingerprints[key] else {
                messages.append("\(name): appeared since the plan was made")
                continue
            }
            guard Planner.fingerprint(of: now) != then else { continue }
            if let old = objectSummaries[key] {
                let changed = Set(old.keys).union(now.keys).sorted().filter { old[$0] != now[$0] }
                let detail = changed.map { "\($0) \(old[$0] ?? "(none)") → \(now[$0] ?? "(none)")" }
                messages.append("\(name): " + (detail.isEmpty ? "changed" : detail.joined(separator: ", ")) + " since the plan was made")
            } else {
                messages.append("\(name): changed since the plan was made")
            }
        }
        return messages
    }

    /// Compares with fingerprints computed from a new observation (see
    /// `Planner.fingerprints(of:)`); messages name the objects, not the fields.
    public func staleObjects(comparedWith current: [String: String]) -> [String] {
        Set(fingerprints.keys).union(current.keys).sorted().compactMap { key in
            switch (fingerprints[key], current[key]) {
            case let (a?, b?) where a == b: return nil
            case (_?, nil): return "\(Self.describe(key)): gone since the plan was made"
            case (nil, _?): return "\(Self.describe(key)): appeared since the plan was made"
            default: return "\(Self.describe(key)): changed since the plan was made"
            }
        }
    }

    /// `domain www on cpt18`, `volume vg18/www-root on cpt18`, `host cpt18`.
    static func describe(_ key: String) -> String {
        let parts = key.split(separator: "/", maxSplits: 2).map(String.init)
        guard parts.count >= 2 else { return key }
        if parts.count == 2 { return "\(parts[0]) \(parts[1])" }
        let kind = parts[0] == "config" ? "configuration of" : parts[0]
        return "\(kind) \(parts[2]) on \(parts[1])"
    }
}
