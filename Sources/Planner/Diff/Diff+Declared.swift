import HostModel
import Manifest
import XenplanBasics

/// A declared domain: which of the three cases it is (it runs or Xen still holds it, it
/// exists only as a configuration, it does not exist), once nothing holds it back.
extension Diff {
    /// Plans a declared domain whose host is known: declared, or where it already exists
    /// (placement is stable). Returns false when it must be placed first.
    mutating func planDeclared(_ d: DomainSpec) -> Bool {
        let running = observed.runningOn[d.name]?.first
        let configHost = observed.configOn[d.name]?.first
        if holdIfMaybeUnobserved(d) { return true }
        // A guest whose memory is in a save file is never placed anew (a cold start would
        // lose that memory): it is where the file is.
        guard let target = d.host ?? running ?? configHost ?? saveFiles(of: d.name).first?.host else { return false }
        finalHost[d.name] = running ?? configHost ?? target
        if let what = observed.unsettled[d.name] {
            notice(
                .inTransition, host: running ?? configHost ?? target, domain: d.name,
                "\(d.name) is in transition (\(what.joined(separator: ", "))): left alone; plan again once it has settled")
            return true
        }
        if planSaves(d, running: running, configHost: configHost, declared: target) { return true }
        if let o = running, let s = observed.hosts[o]?.domain(d.name) {
            planExisting(d, s, on: o, declared: target)
        } else if let c = configHost, let config = observed.hosts[c]?.config(d.name) {
            planConfigOnly(d, config, on: c, declared: target)
        } else if observed.hosts[target] != nil {
            finalHost[d.name] = target
            planCreate(d, on: target, placed: false)
        } else {
            notice(.unplaceable, host: target, domain: d.name, "\(d.name) is declared on \(target), which was not observed: not created")
        }
        return true
    }
}
