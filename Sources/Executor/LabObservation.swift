import HostModel
import Logging
import XenplanBasics

/// Every host of a lab read at once: what `plan`, `drift`, `status` and `apply` start
/// from. A host that cannot be read stops the command, unless the user named it with
/// `--skip-unreachable`: then it is recorded as unobserved, with why.
public struct LabObservation: Sendable {
    public var states: [HostState]
    /// Hosts skipped because they could not be read, with the reason.
    public var unobserved: [String: String]
    public var elapsed: Duration

    /// The hosts that could not be read and were not to be skipped.
    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// Each host's error, as `host H: OPERATION failed: MESSAGE`.
        public var hosts: [String: String]
        public var description: String {
            let names = hosts.keys.sorted()
            let lines = names.map { hosts[$0]! }
            return lines.joined(separator: "\nerror: ")
                + "\nNothing was planned or changed: a guest on a host that cannot be seen could be started a second time elsewhere."
                + " To go on without \(names.count == 1 ? "it" : "them"): " + names.map { "--skip-unreachable \($0)" }.joined(separator: " ")
        }
    }

    static let log = Logger(label: "xenplan.observe")

    /// Observes every driver in parallel; the whole takes as long as the slowest host.
    public static func observe(
        _ drivers: [any HostDriver], skipping skippable: Set<String> = [],
        clock: any ExecutionClock = SystemExecutionClock()
    ) async throws(Failure) -> LabObservation {
        let start = clock.now()
        let results = await withTaskGroup(of: (String, Result<HostState, HostError>).self) { group in
            for driver in drivers {
                group.addTask {
                    let started = ContinuousClock.now
                    func took() -> String { (ContinuousClock.now - started).shownElapsed }
                    do {
                        let state = try await driver.observe()
                        log.debug(
                            "host \(driver.hostName) read in \(took()): domains \(state.domains.count), configurations \(state.configs.count), volumes \(state.volumes.count)"
                        )
                        return (driver.hostName, .success(state))
                    } catch let error as HostError {
                        log.debug("host \(driver.hostName) not read (\(took())): \(error.message)")
                        return (driver.hostName, .failure(error))
                    } catch {
                        return (driver.hostName, .failure(HostError(host: driver.hostName, operation: "observe", message: "\(error)")))
                    }
                }
            }
            var all: [(String, Result<HostState, HostError>)] = []
            for await result in group { all.append(result) }
            return all
        }
        var states: [HostState] = []
        var unobserved: [String: String] = [:]
        var failed: [String: String] = [:]
        for (host, result) in results {
            switch result {
            case let .success(state): states.append(state)
            case let .failure(error):
                if skippable.contains(host) { unobserved[host] = error.message } else { failed[host] = error.description }
            }
        }
        guard failed.isEmpty else { throw Failure(hosts: failed) }
        return LabObservation(states: states.sorted { $0.name < $1.name }, unobserved: unobserved, elapsed: clock.now() - start)
    }
}
