import HostModel
import Manifest
import XenplanBasics

/// First-boot seeds: which identity a guest's seed holds, and the `write-seed` steps
/// that put the file on a host before `xl create` (or a migration) needs it.
extension DesiredConfigs {
    /// The seed of `d` built from the manifests, its MACs as the configuration has them.
    func declaredSeed(_ d: DomainSpec, nics: [DomainConfig.Nic], instanceId: String? = nil) -> CloudInitSeed {
        var interfaces: [CloudInitSeed.Interface] = []
        for (spec, nic) in zip(d.network, nics) {
            let address = Normalize.ip(spec.ip).map { "\($0)/\(spec.prefix ?? NicSpec.defaultPrefix)" }
            interfaces.append(
                CloudInitSeed.Interface(
                    mac: nic.mac ?? "", addresses: address.map { [$0] } ?? [],
                    gateway: spec.gateway, dns: spec.dns))
        }
        var seed = CloudInitSeed(
            domain: d.name, instanceId: "", hostname: d.identity.hostname, interfaces: interfaces,
            sshKeys: d.identity.sshKeys, passwordHash: d.identity.passwordHash)
        seed.instanceId = instanceId ?? Self.instanceId(of: seed)
        return seed
    }

    /// `NAME-` and eight hex digits of the identity: a different identity is a new
    /// instance for cloud-init.
    static func instanceId(of seed: CloudInitSeed) -> String {
        var summary = seed.identitySummary
        summary["instance-id"] = nil
        let text = summary.keys.sorted().map { "\($0)=\(summary[$0]!)" }.joined(separator: " ")
        return "\(seed.domain)-" + StableIdentity.hexDigits(StableIdentity.hash(text), count: 8)
    }

    /// The seed record the configuration of `d` carries on `host`, and remembers the seed
    /// content to write. First boot only (the default): a guest that exists keeps the
    /// record it was created with, and a different declared identity is reported, not
    /// applied; `identityChanges: next-boot` rewrites it with a new instance id.
    mutating func seedRecord(
        _ d: DomainSpec, nics: [DomainConfig.Nic], on host: String,
        notices: inout [Notice]
    ) -> DomainConfig.Seed? {
        guard d.identity.seed else { return nil }
        let declared = declaredSeed(d, nics: nics)
        let exists = observed.existingConfig(d.name) != nil || observed.runningOn[d.name] != nil
        let recorded = observed.existingConfig(d.name)?.seed
        func record(_ seed: CloudInitSeed) -> DomainConfig.Seed {
            seeds[d.name] = seed
            return DomainConfig.Seed(target: CloudInitSeed.path(domain: d.name), identity: seed.identitySummary)
        }
        guard exists else { return record(declared) }
        let changed =
            recorded.map { Self.identityDifferences($0.identity, declared.identitySummary) }
            ?? ["no seed"]
        if changed.isEmpty, let recorded {
            return record(declaredSeed(d, nics: nics, instanceId: recorded.identity["instance-id"]))
        }
        switch d.identity.changes {
        case .nextBoot:
            noticeOnce(
                .pendingRestart, d.name, on: host,
                "first-boot identity of \(d.name) changes (\(changed.joined(separator: ", "))): its seed is rewritten with instance id \(declared.instanceId); cloud-init applies it at the guest's next boot",
                into: &notices)
            return record(declared)
        case .firstBoot:
            noticeOnce(
                .firstBoot, d.name, on: host,
                "first-boot identity of \(d.name) is declared differently (\(changed.joined(separator: ", "))): "
                    + (recorded == nil ? "it was created without a seed" : "it keeps the one it was created with")
                    + "; identityChanges: next-boot applies it at its next boot", into: &notices)
            guard let recorded else { return nil }
            // Only written again if the file is gone: with the instance id the guest knows,
            // so cloud-init does not run its first boot again.
            let kept = declaredSeed(d, nics: nics, instanceId: recorded.identity["instance-id"])
            seeds[d.name] = kept
            return observed.hosts[host]?.seeds.contains(d.name) == false ? record(kept) : recorded
        }
    }

    /// The first-boot settings that differ between a recorded identity and a declared
    /// one, in words: `hostname web2 → www2`, `network`, `ssh keys`, `password`.
    static func identityDifferences(_ old: [String: String], _ new: [String: String]) -> [String] {
        var out: [String] = []
        if old["hostname"] != new["hostname"] { out.append("hostname \(old["hostname"] ?? "none") → \(new["hostname"] ?? "none")") }
        if old["network"] != new["network"] { out.append("network") }
        if old["ssh-keys"] != new["ssh-keys"] { out.append("ssh keys") }
        if old["password"] != new["password"] { out.append("password") }
        return out
    }

    /// The seed as a disk of the running guest, for device comparisons.
    static func seedDisk(_ config: DomainConfig) -> [ResolvedDisk] {
        guard let seed = config.seed else { return [] }
        let spec = DiskSpec(name: "seed", size: nil, vdev: seed.vdev, path: seed.target, readOnly: true)
        return [ResolvedDisk(spec: spec, vdev: seed.vdev, target: seed.target, volume: nil, pool: nil)]
    }

    /// `operations` with a `write-seed` before every step that needs the seed file on
    /// `host`: a configuration whose seed record is new or changed, or an `xl create` of
    /// a seeded configuration whose file the host does not have.
    func withSeeds(_ operations: [HostOperation], on host: String) -> [HostOperation] {
        guard !seeds.isEmpty, let index = observed.hosts[host] else { return operations }
        var out: [HostOperation] = []
        var written: Set<String> = []
        var configured: [String: DomainConfig] = [:]
        for op in operations {
            switch op {
            case let .writeConfig(config):
                out.append(op)
                configured[config.name] = config
                guard let record = config.seed, let seed = seeds[config.name] else { continue }
                if !index.seeds.contains(config.name) || index.config(config.name)?.seed != record {
                    out.append(.writeSeed(seed))
                    written.insert(config.name)
                }
            case let .create(name):
                let config = configured[name] ?? index.config(name)
                if config?.seed != nil, !written.contains(name), !index.seeds.contains(name), let seed = seeds[name] {
                    out.append(.writeSeed(seed))
                    written.insert(name)
                }
                out.append(op)
            default:
                out.append(op)
            }
        }
        return out
    }

    /// The plan reports a domain's identity difference once, however often its
    /// configuration is worked out.
    private mutating func noticeOnce(
        _ kind: NoticeKind, _ domain: String, on host: String, _ message: String, into notices: inout [Notice]
    ) {
        guard seedNoticed.insert(domain).inserted else { return }
        notices.append(Notice(kind: kind, host: host, domain: domain, message: message))
    }
}
