import Planner
import Synchronization

/// Where an action's task leaves what became of it, and where the scheduling loop takes
/// every action that finished since it last looked, at once: their `done` and `failed`
/// lines then share one sync of the journal.
final class CompletionInbox: Sendable {
    struct Completion: Sendable {
        var id: Int
        var elapsed: Duration
        var failure: ActionFailure?
    }

    private struct State: ~Copyable {
        var items: [Completion] = []
        var waiter: CheckedContinuation<[Completion], Never>?
    }

    private let state = Mutex(State())

    func post(_ completion: Completion) {
        let waiter = state.withLock { state -> CheckedContinuation<[Completion], Never>? in
            guard let waiter = state.waiter else {
                state.items.append(completion)
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: [completion])
    }

    /// Every completion posted and not yet taken; waits for one when there is none.
    func takeAll() async -> [Completion] {
        let first = await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> [Completion]? in
                guard state.items.isEmpty else {
                    defer { state.items = [] }
                    return state.items
                }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
        // Those posted while this loop was waking up come along too.
        return first
            + state.withLock { state in
                defer { state.items = [] }
                return state.items
            }
    }
}
