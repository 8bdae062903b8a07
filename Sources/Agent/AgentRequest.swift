import FoundationEssentials
import HostModel
import XenplanBasics

/// One request, parsed and validated: nothing reaches a driver without passing here.
public struct AgentRequest: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case hello(
            versions: [Int], client: String?, host: String?, imageDirectories: [String], volumeGroups: [String],
            imagePaths: [String], trace: Bool = false, concurrency: Int? = nil)
        case observe
        case perform(HostOperation)
        case lock(owner: LockRecord, replacing: LockRecord?)
        case unlock(owner: LockRecord)
        case breakLock
        case lockHolder
    }

    public var id: RequestID?
    public var kind: Kind

    /// Request types and the fields each may carry besides `type` and `id`.
    static let fields: [String: Set<String>] = [
        "hello": ["versions", "client", "host", "imageDirectories", "volumeGroups", "imagePaths", "trace", "concurrency"],
        "observe": [],
        "perform": ["operation"],
        "lock": ["owner", "replacing"],
        "unlock": ["owner"],
        "break-lock": [],
        "lock-holder": [],
    ]
    static let typeNames = ["hello", "observe", "perform", "lock", "unlock", "break-lock", "lock-holder"]

    /// Parses one line (without its newline).
    public static func parse(_ line: Data) throws(ProtocolError) -> AgentRequest {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: line)
        } catch {
            throw ProtocolError(id: nil, .badJSON, "the line is not JSON: \(describe(error))")
        }
        guard case let .object(object) = value else {
            throw ProtocolError(id: nil, .badRequest, "a request is a JSON object, not \(value.kindName)")
        }
        let id = try requestID(object["id"])
        func bad(_ message: String) -> ProtocolError { ProtocolError(id: id, .badRequest, message) }
        func bad(_ code: ProtocolErrorCode, _ message: String) -> ProtocolError { ProtocolError(id: id, code, message) }
        guard let typeValue = object["type"] else { throw bad("the request has no 'type'") }
        guard case let .string(type) = typeValue else { throw bad("'type' must be a string, not \(typeValue.kindName)") }
        guard let allowed = fields[type] else {
            throw bad(.unknownType, "unknown request type \(shown(type)); one of \(typeNames.joined(separator: ", "))")
        }
        if let extra = object.keys.sorted().first(where: { $0 != "type" && $0 != "id" && !allowed.contains($0) }) {
            throw bad("unknown field \(shown(extra)) in a \(type) request")
        }
        do {
            let kind = try parseKind(type, object, id: id)
            return AgentRequest(id: id, kind: kind)
        } catch let problem as AgentValidation.Problem {
            throw bad(.invalidField, problem.description)
        } catch let error as ProtocolError {
            throw error
        } catch {
            throw bad("\(error)")
        }
    }

    /// An optional array of at most `limit` strings under `key`, each checked by `check`
    /// (given the value and its field name, `key[i]`).
    private static func stringList(
        _ object: [String: JSONValue], _ key: String, of noun: String, limit: Int = 64,
        id: RequestID?, check: (String, String) throws -> Void
    ) throws -> [String] {
        guard let value = object[key] else { return [] }
        guard case let .array(items) = value, items.count <= limit else {
            throw ProtocolError(id: id, .badRequest, "'\(key)' must be an array of at most \(limit) \(noun)")
        }
        var strings: [String] = []
        for (i, item) in items.enumerated() {
            guard case let .string(s) = item else { throw ProtocolError(id: id, .badRequest, "'\(key)' must hold strings") }
            try check(s, "\(key)[\(i)]")
            strings.append(s)
        }
        return strings
    }

    private static func parseKind(_ type: String, _ object: [String: JSONValue], id: RequestID?) throws -> Kind {
        func bad(_ message: String) -> ProtocolError { ProtocolError(id: id, .badRequest, message) }
        switch type {
        case "hello":
            guard let versionsValue = object["versions"] else { throw bad("a hello request needs 'versions'") }
            guard case let .array(items) = versionsValue, (1...16).contains(items.count) else {
                throw bad("'versions' must be an array of 1 to 16 protocol versions")
            }
            var versions: [Int] = []
            for item in items {
                guard case let .integer(n) = item, (1...1000).contains(n) else {
                    throw bad("'versions' must hold integers from 1 to 1000")
                }
                versions.append(Int(n))
            }
            var client: String?
            if let value = object["client"] {
                guard case let .string(s) = value else { throw bad("'client' must be a string, not \(value.kindName)") }
                try AgentValidation.text(s, "client", max: 64)
                client = s
            }
            var host: String?
            if let value = object["host"] {
                guard case let .string(s) = value else { throw bad("'host' must be a string, not \(value.kindName)") }
                guard Syntax.isName(s) else {
                    throw AgentValidation.Problem(field: "host", message: "\(shown(s)) is not a host name ([a-z0-9][a-z0-9.-]{0,62})")
                }
                host = s
            }
            let directories = try stringList(object, "imageDirectories", of: "paths", id: id) { try AgentValidation.path($0, $1) }
            let volumeGroups = try stringList(object, "volumeGroups", of: "volume group names", id: id) {
                try AgentValidation.volumeGroup($0, $1)
            }
            let imagePaths = try stringList(object, "imagePaths", of: "paths", limit: ImageSource.maxObservedPaths, id: id) {
                try AgentValidation.path($0, $1)
            }
            var trace = false
            if let value = object["trace"] {
                guard case let .bool(b) = value else { throw bad("'trace' must be true or false, not \(value.kindName)") }
                trace = b
            }
            var concurrency: Int?
            if let value = object["concurrency"] {
                guard case let .integer(n) = value else {
                    throw bad("'concurrency' must be an integer, not \(value.kindName)")
                }
                try AgentValidation.concurrency(n)
                concurrency = Int(n)
            }
            return .hello(
                versions: versions, client: client, host: host, imageDirectories: directories,
                volumeGroups: volumeGroups, imagePaths: imagePaths, trace: trace, concurrency: concurrency)
        case "observe":
            return .observe
        case "perform":
            guard let value = object["operation"] else { throw bad("a perform request needs 'operation'") }
            let operation: HostOperation = try decodeStrictly(value, field: "operation", id: id)
            try AgentValidation.check(operation)
            return .perform(operation)
        case "lock":
            let owner = try lockRecord(object["owner"], field: "owner", id: id, required: true)!
            let replacing = try lockRecord(object["replacing"], field: "replacing", id: id, required: false)
            return .lock(owner: owner, replacing: replacing)
        case "unlock":
            return .unlock(owner: try lockRecord(object["owner"], field: "owner", id: id, required: true)!)
        case "break-lock":
            return .breakLock
        default:
            return .lockHolder
        }
    }

    /// The id of a request line, found without parsing the rest of it: a request refused
    /// for want of room is answered with its id, and parsing a megabyte to find it would
    /// let a fast client fill memory faster than the agent refuses.
    static func peekID(_ line: Data) -> RequestID? {
        let bytes = [UInt8](line)
        var i = 0
        func skipSpace() { while i < bytes.count, [0x20, 0x09, 0x0D, 0x0A].contains(bytes[i]) { i += 1 } }
        /// Skips one string starting at its opening quote; false if it does not end.
        func skipString() -> Bool {
            i += 1
            while i < bytes.count {
                if bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
                if bytes[i] == UInt8(ascii: "\"") { i += 1; return true }
                i += 1
            }
            return false
        }
        /// Skips one value of any kind, up to the `,` or `}` that follows it.
        func skipValue() -> Bool {
            var depth = 0
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""): if !skipString() { return false }; continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 { return true }
                    depth -= 1
                case UInt8(ascii: ","): if depth == 0 { return true }
                default: break
                }
                i += 1
            }
            return false
        }
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
            let keyStart = i
            guard skipString() else { return nil }
            let key = bytes[keyStart..<i]
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            skipSpace()
            let valueStart = i
            guard skipValue() else { return nil }
            if key.elementsEqual(#""id""#.utf8) {
                let value = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes[valueStart..<i]))
                return value.flatMap { try? requestID($0) }
            }
            guard bytes[i] == UInt8(ascii: ",") else { return nil }
            i += 1
        }
    }

    private static func requestID(_ value: JSONValue?) throws(ProtocolError) -> RequestID? {
        switch value {
        case nil:
            return nil
        case let .integer(n)? where n >= 0:
            return .number(n)
        case let .string(s)? where (1...64).contains(s.utf8.count) && s.unicodeScalars.allSatisfy({ (0x20...0x7e).contains($0.value) }):
            return .text(s)
        default:
            throw ProtocolError(id: nil, .badRequest, "'id' must be a non-negative integer or a string of 1 to 64 printable ASCII characters")
        }
    }

    private static func lockRecord(_ value: JSONValue?, field: String, id: RequestID?, required: Bool) throws -> LockRecord? {
        guard let value, value != .null else {
            if required { throw ProtocolError(id: id, .badRequest, "the request needs '\(field)'") }
            return nil
        }
        let record: LockRecord = try decodeStrictly(value, field: field, id: id)
        try AgentValidation.check(record, field)
        return record
    }

    /// Decodes a field and refuses anything the type would have ignored: a field it does
    /// not have, or a value that does not come back the same when encoded again.
    private static func decodeStrictly<T: Codable>(_ value: JSONValue, field: String, id: RequestID?) throws -> T {
        let decoded: T
        do {
            let data = try JSONEncoder().encode(value)
            decoded = try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw ProtocolError(id: id, .badRequest, "\(field): \(describe(error))")
        }
        let again = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(decoded))
        if let path = firstDifference(value.withoutNulls, again, path: field) {
            throw ProtocolError(id: id, .badRequest, "\(path): not a field of \(field), or not in its canonical form")
        }
        return decoded
    }

    /// The first path where `given` has something `canonical` does not.
    private static func firstDifference(_ given: JSONValue, _ canonical: JSONValue, path: String) -> String? {
        switch (given, canonical) {
        case let (.object(a), .object(b)):
            for key in a.keys.sorted() {
                guard let other = b[key] else { return "\(path).\(key)" }
                if let found = firstDifference(a[key]!, other, path: "\(path).\(key)") { return found }
            }
            return a.count == b.count ? nil : path
        case let (.array(a), .array(b)):
            guard a.count == b.count else { return path }
            for (i, pair) in zip(a, b).enumerated() {
                if let found = firstDifference(pair.0, pair.1, path: "\(path)[\(i)]") { return found }
            }
            return nil
        default:
            return given == canonical ? nil : path
        }
    }

    /// A decoding error as a sentence naming the field, never Swift's debug dump.
    static func describe(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context, _ last: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (last.map { [$0] } ?? [])
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the value" : "'\(text.dropFirst(text.hasPrefix(".") ? 1 : 0))'"
        }
        guard let error = error as? DecodingError else { return "unreadable" }
        switch error {
        case let .keyNotFound(key, context): return "missing field \(path(context, key))"
        case let .typeMismatch(type, context): return "\(path(context)) is not \(typeName(type))"
        case let .valueNotFound(type, context): return "\(path(context)) is null, expected \(typeName(type))"
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty { return "invalid JSON" }
            return "\(path(context)) is not valid here"
        @unknown default: return "unreadable"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int32.Type, is Int64.Type: return "an integer"
        case is Bool.Type: return "a boolean"
        case is Double.Type: return "a number"
        default: return "of the expected kind"
        }
    }
}

extension JSONValue {
    /// The value without `null` members: an absent optional and a null one mean the same.
    var withoutNulls: JSONValue {
        switch self {
        case let .object(o): return .object(o.filter { $0.value != .null }.mapValues(\.withoutNulls))
        case let .array(a): return .array(a.map(\.withoutNulls))
        default: return self
        }
    }
}

extension AgentRequest.Kind {
    /// The request as a log line names it: `hello`, `observe`, `perform create www`.
    public var shown: String {
        switch self {
        case .hello: return "hello"
        case .observe: return "observe"
        case let .perform(operation): return "perform \(operation.kind)\(operation.domainName.map { " \($0)" } ?? "")"
        case .lock: return "lock"
        case .unlock: return "unlock"
        case .breakLock: return "break-lock"
        case .lockHolder: return "lock-holder"
        }
    }
}
