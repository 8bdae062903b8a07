/// A refused request: the answer is an `error` message with this code, echoing the id
/// when the request had a readable one.
public struct ProtocolError: Error, Hashable, Sendable {
    public var id: RequestID?
    public var code: ProtocolErrorCode
    public var message: String

    public init(id: RequestID?, _ code: ProtocolErrorCode, _ message: String) {
        self.id = id
        self.code = code
        self.message = message
    }

    var answer: AgentMessage { .failure(id, code, message) }
}
