import ArgumentParser
import XenplanBasics

/// `-v`/`--verbose` of every command that reaches hosts: what is run there and how long it
/// took, on standard error (`VerboseLogHandler`). Standard output is the same with or
/// without it.
struct VerboseOption: ParsableArguments {
    @Flag(
        name: [.short, .long],
        help: "Say on standard error what is run on the hosts, each agent request and how long each took (also XENPLAN_VERBOSE=1).")
    var verbose = false

    mutating func validate() throws {
        if verbose { Verbosity.turnOn() }
    }
}
