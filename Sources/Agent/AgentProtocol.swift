import FoundationEssentials
import HostModel

/// Constants of the agent protocol (docs/agent-protocol.md). The major version changes
/// only when an old peer would misread a message; a hello settles it before anything else.
public enum AgentProtocol {
    /// The protocol versions this build speaks, newest last. 2: the hello carries
    /// `volumeGroups`, the only ones the local driver reads; a protocol 1 client sends
    /// none, and its plans would not see the volumes that exist.
    public static let versions = [2]
    public static var current: Int { versions.last! }
    /// Longest request line the agent reads; longer ones are refused unread.
    public static let maxLineBytes = 1 << 20
    /// Requests the agent holds at once (those it serves included); more are answered `busy`.
    public static let maxQueuedRequests = 32
    /// Bytes of requests the agent holds at once; more are answered `busy`.
    public static let maxQueuedBytes = 8 << 20
    /// Operations an agent serves at once when a client asks for more than one (its
    /// `--concurrency`); the executor's bound on one host's actions is the same.
    public static let defaultConcurrency = 4
    /// Most operations a hello may ask to be served at once, and an agent may allow.
    public static let maxConcurrency = 64
    /// What a hello reply lists: requests this agent serves.
    public static let capabilities = ["observe", "perform", "progress", "lock"]
}

/// A request id as the client chose it: a non-negative integer or a short string; echoed
/// in every answer and progress event for that request.
public enum RequestID: Hashable, Codable, Sendable, CustomStringConvertible {
    case number(Int64)
    case text(String)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int64.self) {
            self = .number(n)
        } else {
            self = .text(try c.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .number(n): try c.encode(n)
        case let .text(s): try c.encode(s)
        }
    }

    public var description: String {
        switch self {
        case let .number(n): return String(n)
        case let .text(s): return s
        }
    }
}

/// Why the agent refused a request, as the `code` of an `error` answer.
public enum ProtocolErrorCode: String, Codable, Sendable, CaseIterable {
    /// The line is not JSON (or not UTF-8).
    case badJSON = "bad-json"
    /// The line is longer than `AgentProtocol.maxLineBytes`.
    case tooLarge = "too-large"
    /// The input ended in the middle of a line.
    case truncated
    /// JSON, but not a request: not an object, a missing or mistyped field, an unknown field.
    case badRequest = "bad-request"
    /// A `type` the agent does not know.
    case unknownType = "unknown-type"
    /// A field with a value outside its rules (a name, path, size or count).
    case invalidField = "invalid-field"
    /// A request that may not come now (anything before `hello`, a second `hello`).
    case outOfOrder = "out-of-order"
    /// No protocol version in common.
    case unsupportedVersion = "unsupported-version"
    /// This agent serves another host than the hello named.
    case wrongHost = "wrong-host"
    /// The host could not be opened (not a dom0, no simulated state).
    case hostUnavailable = "host-unavailable"
    /// Observing failed.
    case observeFailed = "observe-failed"
    /// The operation ran and failed; `error` carries the host's own message.
    case operationFailed = "operation-failed"
    /// The apply lock is held by someone else; `holder` says who.
    case lockHeld = "lock-held"
    /// Reading or changing the apply lock failed.
    case lockFailed = "lock-failed"
    /// The agent's policy on the host does not allow it; the message names the rule and the file.
    case policyDenied = "policy-denied"
    /// Too many requests, or too many bytes of them, are waiting; nothing was done.
    case busy
}

/// A `HostError` on the wire.
public struct WireHostError: Hashable, Codable, Sendable {
    public var host: String
    public var operation: String
    public var domain: String?
    public var message: String

    public init(_ error: HostError) {
        host = error.host
        operation = error.operation
        domain = error.domain
        message = error.message
    }

    public var hostError: HostError { HostError(host: host, operation: operation, domain: domain, message: message) }
}

/// Every message the agent writes: one JSON object per line. Which fields are present
/// depends on `type` (`hello`, `state`, `ok`, `progress`, `lock`, `error`).
public struct AgentMessage: Codable, Sendable {
    public var type: String
    public var id: RequestID?
    // hello
    public var version: Int?
    public var versions: [Int]?
    public var xenplan: String?
    public var host: String?
    public var capabilities: [String]?
    /// Operations this session has served at once: present when the hello asked for
    /// `concurrency` (answers may then come in any order).
    public var concurrency: Int?
    // state
    public var state: HostState?
    // progress
    public var elapsed: Double?
    // lock (answer to lock-holder and break-lock)
    public var holder: LockRecord?
    // error
    public var code: ProtocolErrorCode?
    public var message: String?
    public var error: WireHostError?

    public init(type: String, id: RequestID?) {
        self.type = type
        self.id = id
    }

    public static func ok(_ id: RequestID?) -> AgentMessage { AgentMessage(type: "ok", id: id) }

    public static func failure(_ id: RequestID?, _ code: ProtocolErrorCode, _ message: String) -> AgentMessage {
        var m = AgentMessage(type: "error", id: id)
        m.code = code
        m.message = message
        return m
    }

    /// One line of JSON with its newline; keys sorted, so that the output is stable.
    public func encodedLine() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain values cannot fail; an empty object keeps the line valid if it did.
        var data = (try? encoder.encode(self)) ?? Data("{\"type\":\"error\"}".utf8)
        data.append(0x0A)
        return data
    }
}

/// Every request a client writes. Decoded by the agent field by field (`AgentRequest`),
/// never with this type, so that a bad field is reported by name.
public struct AgentRequestBody: Encodable, Sendable {
    public var type: String
    public var id: RequestID
    public var versions: [Int]?
    public var client: String?
    public var host: String?
    public var imageDirectories: [String]?
    public var volumeGroups: [String]?
    public var imagePaths: [String]?
    /// In a hello: the agent logs what it does on its standard error (`--verbose`).
    public var trace: Bool?
    /// In a hello: serve up to this many operations at once (answers in any order).
    public var concurrency: Int?
    public var operation: HostOperation?
    public var owner: LockRecord?
    public var replacing: LockRecord?

    public init(type: String, id: RequestID) {
        self.type = type
        self.id = id
    }

    public func encodedLine() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }
}
