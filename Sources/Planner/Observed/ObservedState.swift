import HostModel
import Manifest
import XenplanBasics

/// What the hosts showed, indexed by name. Built once; only `MigrationRecovery` changes
/// it, so that the phases after it see a surviving copy as the domain itself.
struct ObservedState {
    private(set) var hosts: [String: HostIndex] = [:]
    /// Observed hosts in name order.
    private(set) var hostNames: [String] = []
    /// Where each observed guest runs / has a configuration: name → hosts (name order).
    private(set) var runningOn: [String: [String]] = [:]
    private(set) var configOn: [String: [String]] = [:]
    /// Domains Xen shows mid-migration or dying, by name: not planned until they settle.
    private(set) var unsettled: [String: [String]] = [:]
    /// Every MAC an observed domain or configuration has, lower-case.
    private(set) var macs: Set<String> = []
    /// Devices running guests have attached, by device identity (see `attachedDevices`).
    private(set) var devicesInUse: [String: [(domain: String, host: String, readOnly: Bool)]] = [:]
    /// Save files by domain, as each host showed them (a shared directory shows the same
    /// file on every host that reaches it: see `saveFiles(of:)`).
    private(set) var savesOf: [String: [(host: String, save: SaveState)]] = [:]

    init(_ states: [HostState], desired: DesiredState) {
        for state in states {
            for d in state.domains { for nic in d.nics { if let mac = Normalize.mac(nic.mac) { macs.insert(mac) } } }
            for c in state.configs { for nic in c.nics { if let mac = Normalize.mac(nic.mac) { macs.insert(mac) } } }
        }
        for state in states.sorted(by: { $0.name < $1.name }) where hosts[state.name] == nil {
            let index = HostIndex(state: state, spec: desired.hostSpecs[state.name], pools: desired.lab.pools)
            hosts[state.name] = index
            hostNames.append(state.name)
            for name in index.domains.keys { runningOn[name, default: []].append(state.name) }
            for name in index.configs.keys { configOn[name, default: []].append(state.name) }
            for save in state.saves { savesOf[save.domain, default: []].append((state.name, save)) }
            for d in state.domains where d.domid != 0 && (d.transient != nil || d.state == .dying) {
                unsettled[d.name, default: []].append(
                    "\(d.transient.map { "\(d.name)--\($0 == .incoming ? "incoming" : "migratedaway")" } ?? "\(d.name) (dying)") on \(state.name)")
            }
        }
        devicesInUse = attachedDevices()
    }

    /// From here on, the copy at `index` on `host` is domain `name` itself (nil: the
    /// copies were discarded), and what Xen showed of the migration is settled.
    mutating func settle(_ name: String, keeping copy: (host: String, index: Int)?) {
        if let copy {
            hosts[copy.host]?.domains[name] = copy.index
            runningOn[name] = [copy.host]
        }
        unsettled[name] = unsettled[name]?.filter { $0.hasSuffix("(dying)") || !$0.contains("--") }
        if unsettled[name]?.isEmpty == true { unsettled[name] = nil }
    }

    /// What guests may use on each host, and what they use now.
    var limits: [String: Resources] { hosts.mapValues(\.limit) }
    var initialUsage: [String: Resources] { hosts.mapValues(\.initialUsage) }

    /// The configuration written for `name` anywhere before, if any (its seed record is
    /// what the guest first booted with).
    func existingConfig(_ name: String) -> DomainConfig? {
        for h in (configOn[name] ?? []) { if let c = hosts[h]?.config(name) { return c } }
        return nil
    }

    /// Where a volume already exists: on `host`, or for a shared pool on any host that
    /// reaches it (they all see the same volume group or directory).
    func existingVolume(_ key: VolumeKey, pool: PoolSpec?, host: String) -> (host: String, size: ByteSize)? {
        if let size = hosts[host]?.volumes[key] { return (host, size) }
        guard let pool, pool.shared else { return nil }
        for other in pool.hosts.sorted() where other != host {
            if let size = hosts[other]?.volumes[key] { return (other, size) }
        }
        return nil
    }
}
