import Foundation
import HostModel
import Manifest
import SimDriver
import XenplanBasics

/// The invariants that must hold on the hosts at every moment, checked on one consistent
/// reading of all simulated hosts (taken under all their locks, so that a migration is
/// never seen half on one host and half on the other):
///
/// - a domain name is up (running, blocked or paused) on at most one host under its own
///   name; the `--incoming` / `--migratedaway` copies of a migration do not count;
/// - no read-write volume is attached to two up domains of different names (targets are
///   resolved to volumes through the pools, as the planner does: a shared pool's volume
///   is one volume on every host that reaches it);
/// - no host's memory is overcommitted (free memory never below zero: the simulator must
///   refuse what Xen refuses) and no host runs more guest vCPUs than cpus × vcpuRatio.
///
/// People may break these by hand (`sim xl`); what the monitor reports is what a
/// xenplan operation breaks: a violation absent before the operation, or a vCPU
/// overcommitment the operation made worse.
final class SafetyMonitor: @unchecked Sendable {
    struct Snapshot {
        var states: [HostState]
        var findings: [String: String]
        var vcpus: [String: Int]
        /// Volumes attached read-write to more than one running guest, and to whom.
        var writers: [String: Set<String>] = [:]
    }

    let store: SimStore
    let lab: Lab
    let clock: any SimClock
    private let lock = NSLock()
    private var baselineFindings: [String: String] = [:]
    /// Volumes with more than one read-write user, and who, when last checked.
    private var baselineWriters: [String: Set<String>] = [:]
    /// Per host, the vCPUs it may run: its limit, or more if it ran more when the step began.
    private var startVcpus: [String: Int] = [:]
    private var found: [String] = []
    private var decoded: [String: (Data, SimHostFile)] = [:]
    /// How many operations were checked, for the suite's statistics.
    private(set) var checkedOperations = 0

    init(store: SimStore, lab: Lab, clock: any SimClock) {
        self.store = store
        self.lab = lab
        self.clock = clock
    }

    var violations: [String] { lock.withLock { found } }

    func record(_ violation: String) { lock.withLock { found.append(violation) } }

    /// The violations found since the last call.
    func drain() -> [String] {
        lock.withLock {
            defer { found = [] }
            return found
        }
    }

    private func limit(_ host: HostSpec) -> Int { (host.simCpus ?? 1) * host.vcpuRatio }

    /// Accepts the hosts as they are now (after changes made by hand).
    func rebaseline() throws {
        try lock.withLock {
            let now = try snapshotUnlocked()
            baselineFindings = now.findings
            baselineWriters = now.writers
            startVcpus = now.vcpus
            for spec in lab.hosts { startVcpus[spec.name] = max(startVcpus[spec.name] ?? 0, limit(spec)) }
        }
    }

    func snapshot() throws -> Snapshot { try lock.withLock { try snapshotUnlocked() } }

    /// Reads every host and reports what `operation` broke.
    func check(after operation: HostOperation?, on host: String, failed: Bool) {
        lock.withLock {
            checkedOperations += 1
            let now: Snapshot
            do {
                now = try snapshotUnlocked()
            } catch {
                found.append("cannot read the hosts after \(describe(operation, host, failed)): \(error)")
                return
            }
            for (key, finding) in now.findings.sorted(by: { $0.key < $1.key }) {
                if key.hasPrefix("vcpus/") {
                    // A host a person overcommitted may go back to where it was (a restart
                    // stops and starts a guest), never beyond.
                    let name = String(key.dropFirst(6))
                    if let start = startVcpus[name], let after = now.vcpus[name], after > start {
                        found.append("\(finding) (\(start) when the apply began), after \(describe(operation, host, failed))")
                    }
                } else if key.hasPrefix("writers/"), let volume = now.writers.first(where: { key == Self.writersKey($0.key, $0.value) }) {
                    // Writers a person attached by hand may lose one (xenplan stops a guest),
                    // never gain one.
                    let before = baselineWriters[volume.key] ?? []
                    if !volume.value.isSubset(of: before) {
                        found.append("\(finding), after \(describe(operation, host, failed))")
                    }
                } else if baselineFindings[key] == nil {
                    found.append("\(finding), after \(describe(operation, host, failed))")
                }
            }
            baselineFindings = now.findings
            baselineWriters = now.writers
        }
    }

    static func writersKey(_ volume: String, _ names: Set<String>) -> String { "writers/\(volume)/\(names.sorted())" }

    private func describe(_ operation: HostOperation?, _ host: String, _ failed: Bool) -> String {
        guard let operation else { return "the apply on \(host)" }
        return "\(operation.kind)\(operation.domainName.map { " " + $0 } ?? "") on \(host)\(failed ? " (failed)" : "")"
    }

    private func snapshotUnlocked() throws -> Snapshot {
        let hosts = lab.hosts.map(\.name)
        let now = clock.now()
        // The files as they are under all the locks; decoding is the costly part, and most
        // operations change one host, so an unchanged file is not decoded again.
        let contents: [(String, Data)] = try store.withLocks(hosts) { _ in
            try hosts.map { ($0, try Data(contentsOf: store.liveURL($0))) }
        }
        let files: [(String, SimHostFile)] = try contents.map { host, data in
            if let (known, file) = decoded[host], known == data { return (host, file) }
            let file = try SimHostFile.decode(data)
            decoded[host] = (data, file)
            return (host, file)
        }
        var snapshot = Snapshot(states: [], findings: [:], vcpus: [:])
        var upOn: [String: [String]] = [:]
        var writers: [String: Set<String>] = [:]
        for (name, file) in files {
            let state = file.hostState(name: name, at: now)
            snapshot.states.append(state)
            let free = file.freeMemory(at: now)
            if free < .zero {
                snapshot.findings["memory/\(name)"] = "host \(name) memory overcommitted: free \(free)"
            }
            let up = state.guests.filter { $0.state.isUp }
            let vcpus = up.map(\.vcpusOnline).reduce(0, +)
            snapshot.vcpus[name] = vcpus
            if let spec = lab.host(name), vcpus > state.cpus * spec.vcpuRatio {
                snapshot.findings["vcpus/\(name)"] = "host \(name) runs \(vcpus) guest vCPUs, above \(state.cpus) × \(spec.vcpuRatio)"
            }
            let volumes = volumeKeys(on: name, state: state)
            for d in up {
                if d.transient == nil { upOn[d.name, default: []].append(name) }
                for disk in d.disks where !disk.readOnly {
                    writers[volumes[disk.target] ?? "\(name):\(disk.target)", default: []].insert(d.name)
                }
            }
        }
        for (domain, hosts) in upOn where hosts.count > 1 {
            snapshot.findings["twice/\(domain)"] = "domain \(domain) is up on \(hosts.sorted().joined(separator: " and "))"
        }
        for (volume, names) in writers where names.count > 1 {
            snapshot.writers[volume] = names
            snapshot.findings[Self.writersKey(volume, names)] =
                "volume \(volume) is attached read-write to \(names.sorted().joined(separator: " and "))"
        }
        return snapshot
    }

    /// Disk target → the volume it reaches on `host`: `shared:CONTAINER/NAME` for a shared
    /// pool (one volume on every host), `HOST:CONTAINER/NAME` otherwise.
    func volumeKeys(on host: String, state: HostState) -> [String: String] {
        var keys: [String: String] = [:]
        for v in state.volumes {
            for pool in lab.pools where pool.container == v.container && pool.hosts.contains(host) {
                keys[pool.devicePath(volume: v.name)] = (pool.shared ? "shared:" : "\(host):") + "\(v.container)/\(v.name)"
            }
        }
        return keys
    }
}
