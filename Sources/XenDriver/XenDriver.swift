import FoundationEssentials
import HostModel
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The local Xen driver: reads the dom0 it runs on through libxenctrl, libxenstore,
/// sysfs and at most one `lvs`, and changes it through `xl`, LVM and `ip` (argument
/// vectors only).
public final class XenDriver: HostDriver {
    public let hostName: String
    let hypervisor: any Hypervisor
    let store: XenStore
    /// xenstored's Unix socket, read directly (pipelined) for the observation snapshot
    /// when it exists; nil, or no socket there: the snapshot goes through `store`.
    let xenstoreSocket: String?
    let runner: any CommandRunner
    /// How long each tool may run.
    let deadlines: CommandDeadlines
    public let paths: XenDriverPaths
    /// How long to wait for memory or a dying domain between polls of the hypervisor.
    let pollInterval: Duration
    /// The host's clock, read for the name of a backup (tests fix it).
    let clock: @Sendable () -> Date
    /// Waits while the host settles before a failed create is tried again (tests record it).
    let settle: @Sendable (Duration) async throws -> Void
    /// Domains are built one at a time (`create`, `restore`): each build's hotplug scripts
    /// have a deadline to meet, and two builds at once share the dom0 with each other.
    let builds = Turns()

    public init(
        hostName: String, hypervisor: any Hypervisor, store: XenStore, xenstoreSocket: String? = nil,
        runner: any CommandRunner, deadlines: CommandDeadlines, paths: XenDriverPaths = XenDriverPaths(),
        pollInterval: Duration = .milliseconds(500), clock: @escaping @Sendable () -> Date = { Date() },
        settle: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.hostName = hostName
        self.hypervisor = hypervisor
        self.store = store
        self.xenstoreSocket = xenstoreSocket
        self.runner = runner
        self.deadlines = deadlines
        self.paths = paths
        self.pollInterval = pollInterval
        self.clock = clock
        self.settle = settle
    }

    /// The driver of the machine xenplan runs on. Fails at once, with a message saying
    /// what is missing, when this is not a Xen dom0.
    public static func open(
        hostName: String, paths: XenDriverPaths = XenDriverPaths(),
        runner: any CommandRunner = ProcessCommandRunner(), deadlines: CommandDeadlines,
        privcmd: String = "/dev/xen/privcmd"
    ) throws -> XenDriver {
        // Checked before xc_interface_open, which would print its own complaint on stderr.
        guard FileManager.default.fileExists(atPath: privcmd) else {
            throw HostError(
                host: hostName, operation: "connect",
                message: "cannot reach the hypervisor (no \(privcmd)): is this a Xen dom0?")
        }
        let store: XenStore
        do {
            store = try XenStore()
        } catch {
            throw HostError(
                host: hostName, operation: "connect",
                message: "cannot reach xenstored (no \(XenStore.socketPath) or /dev/xen/xenbus): is this a Xen dom0 with xenstored running?")
        }
        let control: XenControl
        do {
            control = try XenControl()
        } catch {
            throw HostError(
                host: hostName, operation: "connect",
                message: "cannot open the hypervisor interface (\(error)): run xenplan as root on the dom0")
        }
        return XenDriver(
            hostName: hostName, hypervisor: control, store: store, xenstoreSocket: XenStore.socketPath,
            runner: runner, deadlines: deadlines, paths: paths)
    }

    func failure(_ operation: String, domain: String? = nil, _ message: String) -> HostError {
        HostError(host: hostName, operation: operation, domain: domain, message: message)
    }

    /// Runs one tool invocation within `timeout` (nil: `deadlines.operation`); a non-zero
    /// exit becomes a `HostError` carrying the tool's own stderr (or stdout when stderr is
    /// empty, as some xl messages go there), and so does a missed deadline, naming the
    /// command. A tool that is not installed is named with the Debian `package` that has
    /// it, when given.
    @discardableResult
    func run(
        _ argv: [String], operation: String, domain: String? = nil, package: String? = nil,
        timeout: Duration? = nil, stdinFile: String? = nil
    ) async throws -> CommandResult {
        let result: CommandResult
        do {
            if let stdinFile {
                result = try await runner.run(argv, stdinFile: stdinFile, timeout: timeout ?? deadlines.operation)
            } else {
                result = try await runner.run(argv, stdin: nil, timeout: timeout ?? deadlines.operation)
            }
        } catch let error as SpawnError where error.code == ENOENT && package != nil {
            throw failure(operation, domain: domain, "\(error.program) not found on \(hostName): install the \(package!) package")
        } catch {
            throw failure(operation, domain: domain, "\(error)")
        }
        guard result.status == 0 else {
            let said = [result.stderr, result.stdout].map { $0.trimmingWhitespace() }.first { !$0.isEmpty }
            throw failure(
                operation, domain: domain, "`\(argv.joined(separator: " "))` exited with status \(result.status)" + (said.map { ": \($0)" } ?? ""))
        }
        return result
    }
}
