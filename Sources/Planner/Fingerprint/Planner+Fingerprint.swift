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

    /// Keys of the objects a plan's actions and notices name: hosts, their domains,
    /// configurations and save files, volumes and bridges. Their summaries go into the plan.
    static func summarized(actions: [PlannedAction], notices: [Notice]) -> Set<String> {
        var keys: Set<String> = []
        func domain(_ name: String?, on host: String?) {
            guard let name, let host else { return }
            keys.insert("domain/\(host)/\(name)")
            keys.insert("config/\(host)/\(name)")
            keys.insert("save/\(host)/\(name)")
        }
        for a in actions {
            keys.insert("host/\(a.host)")
            domain(a.domain, on: a.host)
            if let t = a.targetHost {
                keys.insert("host/\(t)")
                domain(a.domain, on: t)
            }
            for (h, op) in a.steps {
                switch op {
                case let .createVolume(c, n, _), let .growVolume(c, n, _): keys.insert("volume/\(h)/\(c)/\(n)")
                case let .removeVolume(c, n): keys.insert("volume/\(h)/\(c)/\(n)")
                case let .createBridge(name, _, _): keys.insert("bridge/\(h)/\(name)")
                case let .writeBridgeFile(file): keys.insert("bridge-file/\(h)/\(file.bridge)")
                case let .removeBridgeFile(bridge): keys.insert("bridge-file/\(h)/\(bridge)")
                case let .backup(job): for d in job.disks { keys.insert("volume/\(h)/\(d.container)/\(d.volume)") }
                case let .restoreVolume(c, n, _, _, _): keys.insert("volume/\(h)/\(c)/\(n)")
                case let .receiveVolume(c, n, _), let .commitVolume(c, n):
                    keys.insert("volume/\(h)/\(c)/\(n)")
                    keys.insert("volume/\(h)/\(c)/\(VolumeState.partialName(n))")
                case let .sendVolume(t): keys.insert("volume/\(h)/\(t.container)/\(t.name)")
                default: break
                }
            }
        }
        for n in notices {
            if let h = n.host { keys.insert("host/\(h)") }
            domain(n.domain, on: n.host)
        }
        return keys
    }

    /// Exact and readable: whole MiB when possible, else KiB. (`ByteSize.description`
    /// rounds, and two sizes that print alike must not fingerprint alike.)
    static func exact(_ b: ByteSize) -> String { b.kib % 1024 == 0 ? "\(b.kib / 1024) MiB" : "\(b.kib) KiB" }

    /// Calls `body` with every observed object's key and fields, fields sorted by name.
    static func forEachObject(
        of hosts: [HostState], where wanted: (String) -> Bool = { _ in true },
        _ body: (String, [(String, String)]) -> Void
    ) {
        for h in hosts {
            let hostKey = "host/\(h.name)"
            if wanted(hostKey) {
                body(
                    hostKey,
                    [
                        ("cpus", "\(h.cpus)"), ("dom0 memory", exact(h.dom0Memory)), ("total memory", exact(h.totalMemory)),
                        ("xen version", h.xenVersion),
                    ])
            }
            for d in h.domains where d.domid != 0 {
                let key = "domain/\(h.name)/\(d.name)" + (d.transient.map { "--\($0.rawValue)" } ?? "")
                guard wanted(key) else { continue }
                body(
                    key,
                    [
                        (
                            "disks",
                            d.disks.map { "\(Normalize.vdev($0.vdev))=\($0.target)\($0.readOnly ? " ro" : "")" }.sorted().joined(separator: ", ")
                        ),
                        (
                            "interfaces",
                            d.nics.map { "\($0.bridge) \(Normalize.mac($0.mac) ?? "")\($0.ip.map { " " + $0 } ?? "")" }.joined(separator: ", ")
                        ),
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
                case .pygrub, .pvgrub, .firmware: boot = Text.boot(c.boot)
                case let .kernel(k, r, cmd): boot = "kernel \(k) ramdisk \(r ?? "-") cmdline \(cmd ?? "-")"
                }
                body(
                    key,
                    [
                        ("autostart", "\(c.autostart)"), ("boot", boot),
                        ("disks", c.disks.map { "\($0.vdev)=\($0.target)\($0.readOnly ? " ro" : "")" }.joined(separator: ", ")),
                        ("hvm", c.hvm.map(Text.hvm) ?? "-"),
                        (
                            "interfaces",
                            c.nics.map {
                                "\($0.bridge) \($0.mac ?? "")\($0.ip.map { " " + $0 } ?? "")\($0.rate.map { " rate " + $0 } ?? "")\($0.vifname.map { " vifname " + $0 } ?? "")"
                            }.joined(separator: ", ")
                        ),
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
            // A save file decides between suspend, resume and a cold start: its appearing or
            // going makes a plan stale. Sizes are left out (a partial file grows).
            var saves: [String: [String]] = [:]
            for s in h.saves { saves[s.domain, default: []].append(s.path) }
            for (domain, paths) in saves.sorted(by: { $0.key < $1.key }) {
                let key = "save/\(h.name)/\(domain)"
                if wanted(key) { body(key, [("files", paths.sorted().joined(separator: ", "))]) }
            }
            for b in h.bridges {
                let key = "bridge/\(h.name)/\(b.name)"
                if wanted(key) { body(key, [("interfaces", b.interfaces.sorted().joined(separator: ", "))]) }
            }
            for f in h.persistence?.files ?? [] {
                let key = "bridge-file/\(h.name)/\(f.bridge)"
                if wanted(key) { body(key, [("text", f.text)]) }
            }
        }
    }

    /// FNV-1a-64 of the summary's `field=value` lines in field order, as 16 hex digits.
    public static func fingerprint(of summary: [String: String]) -> String {
        fingerprint(of: summary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// The project's one FNV-1a from its usual offset basis: the fingerprints in plans
    /// saved before stay what they were.
    static func fingerprint(of fields: [(String, String)]) -> String {
        var hash = StableIdentity.offsetBasis
        for (key, value) in fields { hash = StableIdentity.hash("\(key)=\(value)\n", seed: hash) }
        return StableIdentity.hex(hash)
    }
}
