import Agent
import ArgumentParser
import FoundationEssentials
import HostModel
import SimDriver
import XenDriver
import XenplanBasics

/// `xenplan agent`: serves one host's protocol on stdin/stdout, for the ssh connection
/// (docs/agent-protocol.md). On a dom0 it serves the local Xen driver; told so, it
/// serves a simulated host instead. Nothing but protocol answers is written to stdout.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Serve this host's protocol on stdin/stdout (what the ssh connection runs).",
        discussion:
            "Run by `ssh host xenplan agent`; see docs/hosts.md and docs/agent-protocol.md. Without --sim or --sim-dir it serves the local Xen driver."
    )

    @Option(help: ArgumentHelp("Serve the simulated host kept in this file (DIR/HOST.sim.json or DIR/HOST.live.json).", valueName: "file"))
    var sim: String?

    @Option(
        name: .customLong("sim-dir"),
        help: ArgumentHelp("Serve simulated hosts of this state directory (the one the hello names, or --host).", valueName: "dir"))
    var simDir: String?

    @Flag(help: "Serve this dom0 through the local Xen driver (the default).")
    var local = false

    // Also turned on by a client's hello that asks for it: what the agent logs then goes
    // to its standard error, which ssh carries back to that client.
    @OptionGroup var verbosity: VerboseOption

    @Option(help: "Serve only this host name; a hello naming another is refused.")
    var host: String?

    @Option(name: .customLong("image-dir"), help: ArgumentHelp("A directory of raw images (a dir pool) on this host; repeatable.", valueName: "dir"))
    var imageDirectories: [String] = []

    @Option(name: .customLong("volume-group"), help: ArgumentHelp("An LVM volume group (an lvm pool) on this host; repeatable.", valueName: "vg"))
    var volumeGroups: [String] = []

    @Option(
        name: .customLong("image-source"),
        help: ArgumentHelp("A directory whose disk images new volumes may be filled from; repeatable.", valueName: "dir"))
    var imageSources: [String] = []

    @Option(
        help: ArgumentHelp(
            "The agent's policy: what it may create, attach and remove on this host (default: $XENPLAN_AGENT_POLICY, else /etc/xenplan/agent.yaml; see docs/hosts.md).",
            valueName: "file"))
    var policy: String?

    @Option(name: .customLong("run-dir"), help: ArgumentHelp("Where the apply lock lives when the driver keeps none of its own.", valueName: "dir"))
    var runDirectory = "/run/xenplan"

    @Option(name: .customLong("sim-speed"), help: "Factor on simulated latencies (default: $XENPLAN_SIM_SPEED, else 1; 0 is instant).")
    var simSpeed: Double?

    @Option(name: .customLong("progress-interval"), help: "Seconds between progress events while an operation runs.")
    var progressInterval: Double = 2

    @Option(help: "Operations served at once for a client that asks for more than one (1 to 64).")
    var concurrency: Int = AgentProtocol.defaultConcurrency

    func validate() throws {
        let modes = [sim != nil, simDir != nil, local].filter { $0 }.count
        guard modes <= 1 else { throw ValidationError("give one of --sim, --sim-dir and --local") }
        if let host, !Syntax.isName(host) {
            throw ValidationError("--host \(host) is not a host name ([a-z0-9][a-z0-9.-]{0,62})")
        }
        if let sim, SimStore.hostName(ofFile: sim) == nil {
            throw ValidationError("--sim \(sim): expected a simulated host's file, DIR/HOST.sim.json or DIR/HOST.live.json")
        }
        guard progressInterval.isFinite, progressInterval >= 0.05, progressInterval <= 3600 else {
            throw ValidationError("--progress-interval must be between 0.05 and 3600 seconds")
        }
        guard (1...AgentProtocol.maxConcurrency).contains(concurrency) else {
            throw ValidationError("--concurrency must be between 1 and \(AgentProtocol.maxConcurrency)")
        }
        if let simSpeed { guard simSpeed.isFinite, simSpeed >= 0 else { throw ValidationError("--sim-speed must be a non-negative number") } }
        for directory in imageDirectories where !directory.hasPrefix("/") || directory.split(separator: "/").contains("..") {
            throw ValidationError("--image-dir \(directory) must be an absolute path without '..'")
        }
        for directory in imageSources where Syntax.pathProblem(directory) != nil || directory.split(separator: "/").contains(".") {
            throw ValidationError("--image-source \(directory) must be an absolute path without '.', '..', spaces or shell characters")
        }
        for vg in volumeGroups where !Syntax.isVolumeGroup(vg) {
            throw ValidationError(
                "--volume-group \(vg) is not a volume group name (1 to 127 of A-Z, a-z, 0-9, '+', '_', '.', '-', not starting with '-')")
        }
    }

    func run() async throws {
        try await guarded {
            var pinned = host
            if let sim, let fileHost = SimStore.hostName(ofFile: sim) {
                if let host, host != fileHost { throw UserFacingError("--host \(host) does not match --sim \(sim), which is host \(fileHost)") }
                pinned = fileHost
            }
            let loaded: AgentPolicy?, policyProblem: String?
            do {
                loaded = try loadPolicy()
                policyProblem = nil
            } catch {
                loaded = nil
                policyProblem = "\(error)"
            }
            let config = AgentServer.Configuration(
                host: pinned, xenplanVersion: XenplanMain.version,
                progressInterval: .milliseconds(Int64(progressInterval * 1000)),
                lockDirectory: URL(fileURLWithPath: runDirectory), policy: loaded ?? .closed(),
                maxConcurrency: concurrency)
            let make = factory()
            // An unusable policy serves nothing, and says why in answer to the hello: the
            // person at the other end of the ssh connection cannot see this host's stderr.
            let server = AgentServer(
                configuration: config,
                factory: { session in
                    if let policyProblem {
                        throw HostError(host: session.host, operation: "connect", message: policyProblem)
                    }
                    return try make(session)
                })
            await server.serve(
                input: LineReader(fd: 0, limit: AgentProtocol.maxLineBytes),
                output: LineWriter(fd: 1))
        }
    }

    /// The policy file: `--policy`, else `$XENPLAN_AGENT_POLICY`, else the default path.
    /// Without a file, a dom0 gets the closed default; a simulated host, which has nothing
    /// real to protect, the open one. `--volume-group`, `--image-dir` and `--image-source`
    /// add to either.
    private func loadPolicy() throws(AgentPolicyError) -> AgentPolicy {
        let environment = ProcessInfo.processInfo.environment[AgentPolicy.environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        let path = policy ?? environment ?? AgentPolicy.defaultPath
        let simulated = sim != nil || simDir != nil
        if policy != nil, !FileManager.default.fileExists(atPath: path) {
            throw AgentPolicyError(path: path, line: nil, message: "does not exist (given with --policy)")
        }
        return try AgentPolicy.load(path: path, whenAbsent: simulated ? .open() : .closed())
            .adding(volumeGroups: volumeGroups, imageDirectories: imageDirectories, imageSources: imageSources)
    }

    /// How the driver is made once the client has said which host it wants.
    private func factory() -> AgentServer.DriverFactory {
        if let directory = sim.map({ URL(fileURLWithPath: $0).deletingLastPathComponent() }) ?? simDir.map({ URL(fileURLWithPath: $0) }) {
            let speed = simSpeed ?? SimDriver.speedFromEnvironment()
            let shown = sim ?? simDir ?? ""
            return { session in
                guard SimStore(directory: directory).hostNames().contains(session.host) else {
                    throw HostError(
                        host: session.host, operation: "connect",
                        message: "no simulated host \(session.host) in \(shown)")
                }
                return SimDriver(stateDirectory: directory, host: session.host, speed: speed)
            }
        }
        let extra = imageDirectories, extraVolumeGroups = volumeGroups
        return { session in
            let deadlines: CommandDeadlines
            do {
                deadlines = try CommandDeadlines.fromEnvironment()
            } catch let error as HostLimitsError {
                throw HostError(host: session.host, operation: "connect", message: error.message)
            }
            return try XenDriver.open(
                hostName: session.host,
                paths: XenDriverPaths(
                    imageDirectories: Array(Set(session.imageDirectories + extra)).sorted(),
                    volumeGroups: Array(Set(session.volumeGroups + extraVolumeGroups)).sorted(),
                    imagePaths: session.imagePaths),
                deadlines: deadlines)
        }
    }
}
