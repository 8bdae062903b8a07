import ArgumentParser
import FoundationEssentials
import HostModel
import SimDriver

/// `xenplan unlock HOST`: removes a host's apply lock, whoever holds it.
struct UnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Remove a host's apply lock, whoever holds it.",
        discussion: "Only when the apply that holds it is known to be gone: two applies on one host may undo each other's work."
    )

    @Argument(help: "The host.")
    var host: String

    @Argument(help: "Directory of manifests that declares the host (default: current directory).")
    var directory: String = "."

    @OptionGroup var state: StateOptions
    @OptionGroup var verbosity: VerboseOption

    func run() async throws {
        try await guarded {
            if let removed = try await locateDriver().breakLock() {
                Console.out(
                    "host \(host): removed the lock of \(removed.user)@\(removed.machine) pid \(removed.pid) since \(removed.time) (\(removed.command))."
                )
                Console.out(Self.describe(removed))
            } else {
                Console.out("host \(host) was not locked.")
            }
        }
    }

    /// Every field of the record removed, one a line, so that the person who freed it can
    /// find the apply it belonged to (and see why it was not judged stale).
    static func describe(_ r: LockRecord) -> String {
        let missing = "not recorded (an older xenplan)"
        let rows: [(String, String)] = [
            ("user", r.user), ("machine", r.machine), ("pid", String(r.pid)), ("time", r.time),
            ("command", r.command), ("run", r.runID),
            ("boot id", r.bootID ?? missing), ("machine id", r.machineID ?? missing),
            ("PID namespace", r.pidNamespace.map { "pid:[\($0)]" } ?? missing),
            ("start time", r.startTime.map { "\($0) clock ticks after boot" } ?? missing),
        ]
        return rows.map { "  \($0.0.padded(to: 14))\($0.1)" }.joined(separator: "\n")
    }

    /// The host's driver from the manifests; failing those, a simulated host the state
    /// directory holds (so that `unlock` works from anywhere the state is).
    private func locateDriver() throws -> any HostDriver & HostLocking {
        do {
            let session = try LabSession.open(directory: directory, stateDirectory: state.path, hostFilter: [host])
            guard let driver = session.drivers.first else { throw UserFacingError("no host \(host) in \(directory)") }
            return driver
        } catch {
            let store = SimStore(directory: URL(fileURLWithPath: state.path))
            let hasLock = FileManager.default.fileExists(atPath: store.applyLockURL(host).path)
            if store.hostNames().contains(host) || hasLock {
                return SimDriver(stateDirectory: store.directory, host: host)
            }
            throw error
        }
    }
}
