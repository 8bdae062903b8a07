import Executor
import Foundation

/// An `ApplyDelegate` that answers as told and keeps what it heard, for driving an apply
/// in tests.
public final class RecordingApplyDelegate: ApplyDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var heard: [String] = []
    private var reviews: [ApplyReview] = []
    private let answer: Bool

    public init(answer: Bool = true) { self.answer = answer }

    public func warn(_ message: String) { lock.withLock { heard.append(message) } }
    public func review(_ review: ApplyReview) { lock.withLock { reviews.append(review) } }
    public func confirm(_ review: ApplyReview) async -> Bool { answer }

    public var warnings: [String] { lock.withLock { heard } }
    public var lastReview: ApplyReview? { lock.withLock { reviews.last } }
}
