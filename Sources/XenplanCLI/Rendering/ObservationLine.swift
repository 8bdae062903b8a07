import Executor

/// `Observed 2 hosts in 41 ms (cpt18: Xen 4.17.7, 14 domains; cpt76: Xen 4.17.7, 6 domains)`,
/// and a line per host that was skipped.
struct ObservationLine {
    var observation: LabObservation

    init(_ observation: LabObservation) { self.observation = observation }

    func render() -> String {
        let states = observation.states
        let hosts = states.map { "\($0.name): Xen \($0.xenVersion), \($0.guests.count) domains" }
        let noun = states.count == 1 ? "host" : "hosts"
        var line = "Observed \(states.count) \(noun) in \(observation.elapsed.milliseconds) ms (\(hosts.joined(separator: "; ")))"
        for host in observation.unobserved.keys.sorted() {
            line += "\nNot observed: \(host) (\(observation.unobserved[host]!)), skipped with --skip-unreachable"
        }
        return line
    }
}
