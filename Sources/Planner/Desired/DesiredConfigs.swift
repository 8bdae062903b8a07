import HostModel
import Manifest
import XenplanBasics

/// The configuration xenplan writes for a declared domain: its disks as resolved on the
/// host, MACs and UUID chosen once, its first-boot seed. Keeps what it chose, so that
/// every configuration of one plan, and of every plan made from the same lab, agrees.
struct DesiredConfigs {
    let desired: DesiredState
    let observed: ObservedState
    /// Every MAC the lab already uses (declared or observed), lower-case, and those
    /// chosen here (by `domain/index`): a chosen MAC is never one of them.
    private var usedMACs: Set<String>
    private var chosenMACs: [String: String] = [:]
    /// The seed each seeded domain's configuration stands for, by domain name, and the
    /// domains whose identity difference was reported already.
    var seeds: [String: CloudInitSeed] = [:]
    var seedNoticed: Set<String> = []

    init(desired: DesiredState, observed: ObservedState) {
        self.desired = desired
        self.observed = observed
        var macs = observed.macs
        for d in desired.lab.domains {
            for nic in d.network { if let mac = Normalize.mac(nic.mac) { macs.insert(mac) } }
        }
        usedMACs = macs
    }

    /// The configuration file xenplan writes for `d` on `host`. MACs the guest already
    /// has are kept (pinned), so that a restart does not give it a new one; a NIC the
    /// manifests leave to Xen that has none yet gets one chosen here, and a new domain its
    /// UUID, so that what `xl create` starts is exactly what the next plan expects.
    mutating func config(
        for d: DomainSpec, on host: String, observedNics: [NicState], uuid: String?,
        notices: inout [Notice]
    ) -> DomainConfig {
        let match = NicMatch(desired: d.network, observed: observedNics)
        var nics: [DomainConfig.Nic] = []
        for (i, n) in d.network.enumerated() {
            let mac =
                Normalize.mac(n.mac) ?? match.observedFor[i].flatMap { Normalize.mac(observedNics[$0].mac) }
                ?? chosenMAC(domain: d.name, index: i)
            nics.append(DomainConfig.Nic(bridge: n.bridge, mac: mac, ip: Normalize.ip(n.ip), rate: n.rate, vifname: n.vifname))
        }
        let lab = desired.lab
        return DomainConfig(
            name: d.name, uuid: uuid ?? StableIdentity.uuid("\(lab.name ?? "")/\(d.name)"), type: d.type.rawValue,
            memory: d.memory, maxmem: d.maxmem,
            vcpus: d.vcpus, maxvcpus: d.maxvcpus, cpuWeight: d.cpuWeight, cpuCap: d.cpuCap,
            boot: .declared(by: d), disks: desired.resolveDisks(d, on: host).map(\.config), nics: nics, hvm: .declared(by: d),
            seed: seedRecord(d, nics: nics, on: host, notices: &notices), protect: d.protect,
            autostart: d.state == .running, manifestHash: lab.contentHash,
            manifestFile: d.locations.object.map { DesiredState.fileName($0.file) })
    }

    /// A MAC for NIC `index` of `domain`, in Xen's prefix, the same on every call and in
    /// every plan made from the same lab, and used by nothing else in the lab.
    mutating func chosenMAC(domain: String, index: Int) -> String {
        let key = "\(domain)/\(index)"
        if let mac = chosenMACs[key] { return mac }
        var attempt = 0
        var mac = StableIdentity.xenMAC("\(desired.lab.name ?? "")/\(key)")
        while usedMACs.contains(mac) {
            attempt += 1
            mac = StableIdentity.xenMAC("\(desired.lab.name ?? "")/\(key)/\(attempt)")
        }
        usedMACs.insert(mac)
        chosenMACs[key] = mac
        return mac
    }
}
