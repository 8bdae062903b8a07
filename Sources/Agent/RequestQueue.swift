import FoundationEssentials
import XenplanBasics

/// The requests read but not yet answered, bounded in number and in bytes. The reader
/// offers every input event as it comes; the server takes them in order and says when
/// each is served, which frees its room.
final class RequestQueue: @unchecked Sendable {
    let events: AsyncStream<LineEvent>
    private let continuation: AsyncStream<LineEvent>.Continuation
    private let maxRequests: Int
    private let maxBytes: Int
    private let lock = Lock()
    private var requests = 0
    private var bytes = 0

    init(maxRequests: Int, maxBytes: Int) {
        (events, continuation) = AsyncStream<LineEvent>.makeStream(bufferingPolicy: .unbounded)
        self.maxRequests = maxRequests
        self.maxBytes = maxBytes
    }

    /// Queues `event`, or returns the `busy` answer when it does not fit.
    func offer(_ event: LineEvent) -> AgentMessage? {
        let size = Self.size(event)
        let refused: (Int, Int)? = lock.withLock {
            guard requests < maxRequests, bytes + size <= maxBytes else { return (requests, bytes) }
            requests += 1
            bytes += size
            return nil
        }
        guard let (waiting, held) = refused else {
            continuation.yield(event)
            return nil
        }
        var id: RequestID?
        if case let .line(data) = event { id = AgentRequest.peekID(data) }
        return .failure(
            id, .busy,
            "\(waiting) requests (\(held) bytes) are waiting, and at most \(maxRequests) requests and \(maxBytes) bytes may; nothing was done: send it again once earlier requests are answered"
        )
    }

    func served(_ event: LineEvent) {
        let size = Self.size(event)
        lock.withLock {
            requests -= 1
            bytes -= size
        }
    }

    func finish() { continuation.finish() }

    private static func size(_ event: LineEvent) -> Int {
        if case let .line(data) = event { return data.count }
        return 0
    }
}
