import HostModel
import Manifest

extension Planner {
    /// The configuration xenplan writes for the declared domain `name`, and the host it
    /// goes to: the one the plan leaves the domain on (declared, running, or placed), with
    /// the MACs and UUID a plan would choose or keep. nil when `name` is not declared.
    public static func configuration(
        of name: String, lab: Lab, observed: [HostState], options: PlanOptions = PlanOptions()
    ) throws(PlanRefusal) -> (host: String, config: DomainConfig)? {
        guard let d = lab.domain(name) else { return nil }
        let desired = DesiredState(lab: lab, options: options)
        var diff = Diff(desired: desired, recovery: MigrationRecovery(observed: ObservedState(observed, desired: desired)))
        try diff.run()
        guard let host = diff.finalHost[name] ?? d.host else { return nil }
        let index = diff.observed.hosts[host]
        let running = index?.domain(name)
        let config = diff.desiredConfig(
            d, on: host, observedNics: running?.nics ?? [], uuid: index?.config(name)?.uuid ?? running?.uuid)
        return (host, config)
    }
}
