import ArgumentParser
import Planner

/// Options shared by `plan` and `apply` that shape what is planned.
struct PlanningOptions: ParsableArguments {
    @Option(name: .customLong("host"), help: "Only carry out actions on this host (repeatable); every host is still observed.")
    var hosts: [String] = []

    @Option(name: .customLong("domain"), help: "Only carry out actions of this domain (repeatable); every host is still observed.")
    var domains: [String] = []

    @Option(
        name: .customLong("skip-unreachable"),
        help: "Go on without this host if it cannot be observed (repeatable); guests that may run there are left alone.")
    var skipUnreachable: [String] = []

    @Flag(name: .customLong("allow-restart"), help: "Apply changes that need a reboot even where the domain says `restart: never`.")
    var allowRestart = false

    @Flag(name: .customLong("allow-data-loss"), help: "Remove volumes that are no longer declared.")
    var allowDataLoss = false

    @Flag(help: "Destroy unmanaged domains that are not declared.")
    var prune = false

    func planOptions(unobserved: [String: String] = [:]) -> PlanOptions {
        PlanOptions(
            allowRestart: allowRestart, allowDataLoss: allowDataLoss, prune: prune,
            hosts: hosts.isEmpty ? nil : Set(hosts), domains: domains.isEmpty ? nil : Set(domains),
            unobservedHosts: unobserved, xenplanVersion: XenplanMain.version
        )
    }
}
