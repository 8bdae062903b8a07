import XenplanBasics
import XenplanYAML

/// A YAML value as an editor reads it, and as JSON Schema sees it: YAML 1.2's core
/// schema, where a plain `2` is a number, `true` a boolean, `512M` and anything quoted
/// text. (The loader reads every scalar as text; the schema accepts both spellings
/// wherever the loader does.)
enum PlainValue: Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([PlainValue])
    case object([String: PlainValue])

    /// Parses one YAML (or JSON) document.
    init(yaml text: String) throws {
        let composed = YAMLComposer(limits: .init(maxDepth: 256, maxNodes: 10_000_000)).compose(Array(text.utf8))
        if let problem = composed.problems.first { throw problem }
        guard let node = composed.root else {
            self = .null
            return
        }
        self.init(node)
    }

    init(_ node: Node) {
        switch node {
        case let .scalar(scalar):
            self = scalar.style == .plain ? Self.resolved(scalar.string) : .string(scalar.string)
        case let .sequence(sequence):
            self = .array(sequence.map(PlainValue.init))
        case let .mapping(mapping):
            var members: [String: PlainValue] = [:]
            for (key, value) in mapping { members[key.scalar?.string ?? ""] = PlainValue(value) }
            self = .object(members)
        }
    }

    /// The core schema's tag resolution of a plain scalar.
    static func resolved(_ text: String) -> PlainValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .number(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .number(-.infinity)
        case ".nan", ".NaN", ".NAN": return .number(.nan)
        default: break
        }
        let unsigned = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        if !unsigned.isEmpty, unsigned.allSatisfy(\.isASCIIDigit) {
            return Int(text).map(PlainValue.integer) ?? .number(Double(text)!)
        }
        if text.hasPrefix("0o"), let value = Int(text.dropFirst(2), radix: 8) { return .integer(value) }
        if text.hasPrefix("0x"), let value = Int(text.dropFirst(2), radix: 16) { return .integer(value) }
        // Digits with a point or an exponent; Swift's own spellings (`inf`, hex floats) are not YAML's.
        if text.contains(where: \.isASCIIDigit), text.allSatisfy({ $0.isASCIIDigit || ".eE+-".contains($0) }),
            let value = Double(text)
        {
            return .number(value)
        }
        return .string(text)
    }

    subscript(key: String) -> PlainValue? {
        guard case let .object(members) = self else { return nil }
        return members[key]
    }

    var string: String? {
        guard case let .string(text) = self else { return nil }
        return text
    }

    var array: [PlainValue]? {
        guard case let .array(items) = self else { return nil }
        return items
    }

    /// The value of a number, whole or not.
    var numeric: Double? {
        switch self {
        case let .integer(value): return Double(value)
        case let .number(value): return value
        default: return nil
        }
    }
}
