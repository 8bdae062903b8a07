/// Something the plan reports but does not do, for people: where, and why.
public struct Notice: Codable, Hashable, Sendable {
    public var kind: NoticeKind
    public var host: String?
    public var domain: String?
    public var message: String

    public init(kind: NoticeKind, host: String?, domain: String?, message: String) {
        self.kind = kind
        self.host = host
        self.domain = domain
        self.message = message
    }
}
