/// One difference `xenplan drift` reports: its class, where, and a message for people.
public struct DriftItem: Codable, Hashable, Sendable {
    public var kind: DriftClass
    public var host: String?
    public var domain: String?
    public var message: String

    public init(kind: DriftClass, host: String?, domain: String?, message: String) {
        self.kind = kind
        self.host = host
        self.domain = domain
        self.message = message
    }
}
