import Dispatch

/// Runs `first` and `second` at the same time, on two cores when the machine has them,
/// and returns both results once both are done. For two independent pieces of one pure
/// computation (a plan's fingerprints beside the plan itself), without making it async.
public func concurrently<A, B>(_ first: () -> A, _ second: () -> B) -> (A, B) {
    let results = PairSlots<A, B>()
    withoutActuallyEscaping(first) { first in
        withoutActuallyEscaping(second) { second in
            let work = UncheckedPair(first: first, second: second)
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                if index == 0 { results.first = work.first() } else { results.second = work.second() }
            }
        }
    }
    return (results.first!, results.second!)
}

/// Each slot is written by exactly one iteration of `concurrentPerform` and read only
/// after it returns: that is the synchronisation, hence `@unchecked Sendable`.
private final class PairSlots<A, B>: @unchecked Sendable {
    var first: A?
    var second: B?
}

/// The two closures, each called by exactly one iteration.
private struct UncheckedPair<A, B>: @unchecked Sendable {
    let first: () -> A
    let second: () -> B
}
