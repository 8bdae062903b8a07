import Executor
import FoundationEssentials
import HostModel
import Manifest
import Planner
import SimDriver
import XenplanBasics

/// `xenplan-bench apply-figure --out DIR`: applies the `LatencyLab` change on simulated
/// hosts that take real time, and compares the wall time with the plan's critical path.
struct ApplyFigure {
    var directory: URL
    var parallelism = 4

    struct Result {
        var actions: Int
        var wall: Double
        var criticalPath: Double
        var ratio: Double { wall / criticalPath }
    }

    func run() async throws -> Result {
        try? FileManager.default.removeItem(at: directory)
        let state = directory.appendingPathComponent("state")
        let past = try LatencyLab.load(LatencyLab.manifests(past: true), in: directory.appendingPathComponent("past"))
        let lab = try LatencyLab.load(LatencyLab.manifests(past: false), in: directory.appendingPathComponent("manifests"))
        let files = try LatencyLab.hostFiles(past: past, now: Date())
        let store = SimStore(directory: state)
        for (host, file) in files { try store.write(file, to: store.liveURL(host)) }
        let drivers = LatencyLab.hosts.map { SimDriver(stateDirectory: state, host: $0, speed: 1) }
        let observed = try await LabObservation.observe(drivers).states
        let plan = try Planner.plan(lab: lab, observed: observed)
        let critical = Self.criticalPath(plan, files: files, observed: observed)

        let journal = try Journal(path: state.appendingPathComponent("journal.jsonl").path)
        let executor = Executor(plan: plan, drivers: drivers, options: ExecutorOptions(parallelism: parallelism), journal: journal)
        let started = ContinuousClock.now
        let report = try await executor.run()
        let wall = ContinuousClock.now - started
        guard report.succeeded else {
            let failures = report.failed.map { "#\($0.action.id) \($0.failure)" }.joined(separator: "; ")
            throw BenchError.invalid("the latency lab's apply failed: \(failures)")
        }
        return Result(actions: plan.actions.count, wall: wall.seconds, criticalPath: critical)
    }

    /// The longest path through the plan's DAG, each action weighted by the simulated
    /// latencies of its operations on their hosts, plus, for a memory decrease, the time the
    /// simulated balloon takes to come within the executor's tolerance of the target.
    static func criticalPath(_ plan: Plan, files: [String: SimHostFile], observed: [HostState]) -> Double {
        var finish: [Int: Double] = [:]
        // Dependencies have smaller ids.
        for action in plan.actions.sorted(by: { $0.id < $1.id }) {
            let start = action.dependsOn.map { finish[$0] ?? 0 }.max() ?? 0
            finish[action.id] = start + weight(action, files: files, observed: observed)
        }
        return finish.values.max() ?? 0
    }

    static func weight(_ action: PlannedAction, files: [String: SimHostFile], observed: [HostState]) -> Double {
        var seconds = 0.0
        for (host, operation) in action.steps {
            let latency = files[host]?.latencies[operation.kind] ?? 0
            if case let .shutdown(_, timeout) = operation {
                seconds += min(latency, Double(timeout))
            } else {
                seconds += latency
            }
        }
        if action.waitsForBalloon {
            for case let .setMemory(domain, target) in action.operations {
                let state = observed.first { $0.name == action.host }
                guard let actual = state?.domains.first(where: { $0.name == domain })?.memoryActual,
                    let rate = files[action.host]?.balloonRatePerSecond
                else { continue }
                let excess = actual.kib - (target + ExecutorOptions().balloonTolerance).kib
                if excess > 0 { seconds += Double(excess) / Double(rate.kib) }
            }
        }
        return seconds
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
