import Dispatch
import FoundationEssentials
import Synchronization

/// Group commit of the simulated hosts of one state directory, within this process.
///
/// A change (`SimStore.commit`) is queued; one batch at a time runs on a queue of its
/// own, away from Swift's concurrency threads: it takes the `flock` of every host its
/// changes touch (in name order, as `withLocks`), reads each file once, applies the
/// changes in the order they came (each seeing those before it; one that throws leaves
/// the files as they were before it), writes each changed file once (atomically, synced)
/// and only then tells every change of the batch that it is done. Changes that arrive
/// while a batch is being written wait for the next one. So several operations on one
/// host cost one write, and another process (`sim xl`, a second apply) still sees the
/// files change only under their locks.
final class SimCommitter: Sendable {
    struct Job: Sendable {
        var store: SimStore
        /// The hosts whose locks the change needs, sorted.
        var hosts: [String]
        var run: @Sendable (inout SimSession) throws -> Void
        var done: @Sendable ((any Error)?) -> Void
    }

    /// Where a change's result waits for the batch to be written.
    final class Box<Value>: @unchecked Sendable {
        var value: Value?
    }

    /// What the committer did so far (a test seam for the batching).
    struct Statistics: Hashable, Sendable {
        /// Changes committed (or refused).
        var jobs = 0
        var batches = 0
        /// Host files written.
        var files = 0
        /// Changes queued for the next batch.
        var queued = 0
        /// Whether a batch is being carried out.
        var running = false
    }

    private struct State: ~Copyable {
        var queue: [Job] = []
        var running = false
        var done = Statistics()
    }

    var statistics: Statistics {
        state.withLock { state in
            var s = state.done
            s.queued = state.queue.count
            s.running = state.running
            return s
        }
    }

    private let state = Mutex(State())
    private let worker: DispatchQueue

    private init(directory: String) {
        worker = DispatchQueue(label: "xenplan.sim.commit \(directory)")
    }

    private static let byDirectory = Mutex<[String: SimCommitter]>([:])

    /// The committer of `directory` (one per directory and process).
    static func shared(for directory: URL) -> SimCommitter {
        let key = directory.standardizedFileURL.path
        return byDirectory.withLock { all in
            if let existing = all[key] { return existing }
            let made = SimCommitter(directory: key)
            all[key] = made
            return made
        }
    }

    func submit(_ job: Job) {
        let start = state.withLock { state -> Bool in
            state.queue.append(job)
            guard !state.running else { return false }
            state.running = true
            return true
        }
        if start { worker.async { self.drain() } }
    }

    /// Runs batches until nothing is queued.
    private func drain() {
        while true {
            let jobs = state.withLock { state -> [Job] in
                defer { state.queue = [] }
                if state.queue.isEmpty { state.running = false }
                return state.queue
            }
            guard !jobs.isEmpty else { return }
            let (outcomes, written) = run(jobs)
            state.withLock { state in
                state.done.jobs += jobs.count
                state.done.batches += 1
                state.done.files += written
            }
            for (job, outcome) in zip(jobs, outcomes) { job.done(outcome) }
        }
    }

    /// One batch: every job's error (nil for those now written), and how many files.
    private func run(_ jobs: [Job]) -> ([(any Error)?], Int) {
        let store = jobs[0].store
        let hosts = Array(Set(jobs.flatMap(\.hosts))).sorted()
        let descriptors: [Int32]
        do {
            descriptors = try store.lock(hosts)
        } catch {
            return (jobs.map { _ in error }, 0)
        }
        defer { store.unlock(descriptors) }
        var files: [String: SimHostFile] = [:]
        var changed: Set<String> = []
        var outcomes: [(any Error)?] = []
        for job in jobs {
            var session = SimSession(store: job.store, locked: Set(job.hosts))
            session.files = files.filter { job.hosts.contains($0.key) }
            do {
                try job.run(&session)
                files.merge(session.files) { _, new in new }
                changed.formUnion(session.changed)
                outcomes.append(nil)
            } catch {
                outcomes.append(error)
            }
        }
        do {
            try store.writeAll(changed.sorted().map { (files[$0]!, store.liveURL($0)) })
        } catch {
            // Nothing of the batch may count as done when its file was not written.
            return (outcomes.map { $0 ?? error }, 0)
        }
        return (outcomes, changed.count)
    }
}
