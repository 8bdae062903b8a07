import Dispatch
import FoundationEssentials
import XenplanBasics

/// `busy` answers, written by a thread of their own: the reader must go on taking (and
/// refusing) requests even while a client that does not read its answers has filled the
/// pipe, or the lines it cannot take would pile up unread. Beyond `capacity` answers
/// waiting to be written, more are dropped: that client is not reading them anyway.
final class Outbox: @unchecked Sendable {
    private let condition = Condition()
    private var waiting: [AgentMessage] = []
    private var closed = false
    private let capacity: Int
    private let finished = DispatchSemaphore(value: 0)

    init(_ output: LineWriter, capacity: Int) {
        self.capacity = capacity
        DetachedThread.start { [self] in
            while let message = next() { output.write(message.encodedLine()) }
            finished.signal()
        }
    }

    func send(_ message: AgentMessage) {
        condition.withLock {
            guard !closed, waiting.count < capacity else { return }
            waiting.append(message)
            condition.signal()
        }
    }

    /// Returns once what is waiting is written, and ends the thread.
    func close() {
        condition.withLock {
            closed = true
            condition.signal()
        }
        finished.wait()
    }

    private func next() -> AgentMessage? {
        condition.withLock {
            while waiting.isEmpty && !closed { condition.wait() }
            return waiting.isEmpty ? nil : waiting.removeFirst()
        }
    }
}
