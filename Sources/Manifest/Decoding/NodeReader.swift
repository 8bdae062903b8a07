import XenplanBasics
import XenplanYAML

/// Typed reads from the YAML tree of one file. Every read that fails records a diagnostic
/// at the offending value and returns nil, so that decoding goes on and every problem
/// of the file is reported, not the first.
final class NodeReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    struct Entry {
        var key: String
        var keyLocation: SourceLocation
        var value: Node
    }

    func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    /// Plain scalars that mean "no value" (YAML's null).
    static let nullTexts = ["", "~", "null", "Null", "NULL"]
    /// The spellings of a boolean: never `yes`/`no`/`on`/`off`, whose meaning changed
    /// between YAML versions.
    static let trueTexts = ["true", "True", "TRUE"]
    static let falseTexts = ["false", "False", "FALSE"]

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark.line, column: node.mark.column)
    }

    // MARK: - Collections

    /// The entries of a mapping, in written order; a null value reads as an empty mapping.
    func entries(_ node: Node, expected: String, for field: String) -> [Entry]? {
        if isNull(node) { return [] }
        guard case let .mapping(mapping) = node else {
            report(.wrongType(expected: expected, for: field, found: node, at: location(node)))
            return nil
        }
        return mapping.map { key, value in
            Entry(key: key.scalar?.string ?? "", keyLocation: location(key), value: value)
        }
    }

    /// A mapping with a fixed set of keys: unknown keys are reported with a suggestion,
    /// missing required keys at `objectLocation` (the key that names the object).
    func object(
        _ node: Node, _ what: String, keys allowed: [String], required: [String] = [],
        at objectLocation: SourceLocation, notAllowedHere: [String: String] = [:]
    ) -> [String: Entry]? {
        guard let list = entries(node, expected: "a mapping of keys", for: what) else { return nil }
        var result: [String: Entry] = [:]
        for entry in list {
            if allowed.contains(entry.key) {
                result[entry.key] = entry
            } else if let why = notAllowedHere[entry.key] {
                report(.error("key '\(entry.key)' cannot be set in \(what); \(why)", at: entry.keyLocation))
            } else {
                report(
                    .unknownKey(
                        entry.key, in: what, suggestion: Suggestion.closest(to: entry.key, among: allowed),
                        valid: allowed, at: entry.keyLocation))
            }
        }
        for key in required where result[key] == nil {
            report(.missingKey(key, in: what, at: objectLocation))
        }
        return result
    }

    func list(_ node: Node, for field: String) -> [Node]? {
        if isNull(node) { return [] }
        guard case let .sequence(sequence) = node else {
            report(.wrongType(expected: "a list", for: field, found: node, at: location(node)))
            return nil
        }
        return Array(sequence)
    }

    // MARK: - Scalars

    func isNull(_ node: Node) -> Bool {
        guard case let .scalar(scalar) = node, scalar.style == .plain else { return false }
        return Self.nullTexts.contains(scalar.string)
    }

    /// Any non-null scalar, as text.
    func text(_ node: Node, for field: String, expected: String = "a string") -> Declared<String>? {
        guard case let .scalar(scalar) = node, !isNull(node) else {
            report(.wrongType(expected: expected, for: field, found: node, at: location(node)))
            return nil
        }
        return Declared(value: scalar.string, location: location(node))
    }

    /// A name following `[a-z0-9][a-z0-9.-]{0,62}`.
    func name(_ node: Node, for field: String) -> Declared<String>? {
        guard let text = text(node, for: field, expected: "a name") else { return nil }
        guard Syntax.isName(text.value) else {
            report(.invalidName(text.value, for: field, at: text.location))
            return nil
        }
        return text
    }

    func int(_ node: Node, for field: String, in range: ClosedRange<Int>) -> Declared<Int>? {
        guard let text = text(node, for: field, expected: "a whole number") else { return nil }
        let digits = text.value.hasPrefix("-") || text.value.hasPrefix("+") ? text.value.dropFirst() : Substring(text.value)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else {
            report(.wrongType(expected: "a whole number", for: field, found: node, at: text.location))
            return nil
        }
        guard let value = Int(text.value), digits.count <= 18 else {
            report(.numberTooLarge(text.value, for: field, at: text.location))
            return nil
        }
        guard range.contains(value) else {
            report(.outOfRange(value, for: field, range: range, at: text.location))
            return nil
        }
        return Declared(value: value, location: text.location)
    }

    func size(_ node: Node, for field: String, atLeast minimum: ByteSize = ByteSize(kib: 1)) -> Declared<ByteSize>? {
        guard let text = text(node, for: field, expected: "a size like 512M") else { return nil }
        let size: ByteSize
        do {
            size = try ByteSize.parse(text.value)
        } catch .tooLarge {
            report(.sizeTooLarge(text.value, for: field, at: text.location))
            return nil
        } catch {
            report(.wrongType(expected: "a size like 512M", for: field, found: node, at: text.location))
            return nil
        }
        guard size >= minimum else {
            report(.sizeTooSmall(size, for: field, minimum: minimum, at: text.location))
            return nil
        }
        return Declared(value: size, location: text.location)
    }

    func bool(_ node: Node, for field: String) -> Declared<Bool>? {
        guard let text = text(node, for: field, expected: "true or false") else { return nil }
        if Self.trueTexts.contains(text.value) { return Declared(value: true, location: text.location) }
        if Self.falseTexts.contains(text.value) { return Declared(value: false, location: text.location) }
        report(.wrongType(expected: "true or false", for: field, found: node, at: text.location))
        return nil
    }

    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, for field: String, as _: T.Type) -> Declared<T>?
    where T.RawValue == String {
        let options = T.allCases.map(\.rawValue)
        let expected = options.dropLast().joined(separator: ", ") + " or " + options.last!
        guard let text = text(node, for: field, expected: expected) else { return nil }
        guard let value = T(rawValue: text.value) else {
            let hint = Suggestion.closest(to: text.value, among: options).map { "; did you mean '\($0)'?" } ?? ""
            report(.error("\(field) must be \(expected), not \(shown(text.value))\(hint)", at: text.location))
            return nil
        }
        return Declared(value: value, location: text.location)
    }

    /// An absolute path without `..` or special characters.
    func path(_ node: Node, for field: String) -> Declared<String>? {
        guard let text = text(node, for: field, expected: "an absolute path") else { return nil }
        if let problem = Syntax.pathProblem(text.value) {
            report(.badPath(text.value, for: field, problem: problem, at: text.location))
            return nil
        }
        return text
    }
}

extension Diagnostic {
    static func unknownKey(
        _ key: String, in what: String, suggestion: String?, valid: [String],
        at location: SourceLocation
    ) -> Diagnostic {
        if let suggestion {
            return .error("unknown key \(shown(key)) in \(what); did you mean '\(suggestion)'?", at: location)
        }
        return .error("unknown key \(shown(key)) in \(what); valid keys are \(valid.joined(separator: ", "))", at: location)
    }

    static func missingKey(_ key: String, in what: String, at location: SourceLocation) -> Diagnostic {
        .error("\(what) has no '\(key)', which is required", at: location)
    }

    static func wrongType(expected: String, for field: String, found node: Node, at location: SourceLocation) -> Diagnostic {
        .error("expected \(expected) for \(field), found \(describe(node))", at: location)
    }

    static func invalidName(_ name: String, for field: String, at location: SourceLocation) -> Diagnostic {
        .error(
            "\(shown(name)) is not a valid name for \(field): use 1 to 63 of a-z, 0-9, '.' and '-', starting with a letter or digit",
            at: location)
    }

    static func reservedName(_ name: String, why: String, at location: SourceLocation) -> Diagnostic {
        .error("\(shown(name)) cannot name a domain: \(why)", at: location)
    }

    static func numberTooLarge(_ text: String, for field: String, at location: SourceLocation) -> Diagnostic {
        .error("number \(shown(text, limit: 24)) for \(field) is too large", at: location)
    }

    static func outOfRange(_ value: Int, for field: String, range: ClosedRange<Int>, at location: SourceLocation) -> Diagnostic {
        .error("\(field) must be between \(range.lowerBound) and \(range.upperBound), not \(value)", at: location)
    }

    static func sizeTooLarge(_ text: String, for field: String, at location: SourceLocation) -> Diagnostic {
        .error("size \(shown(text, limit: 24)) for \(field) is too large (at most 1 PiB)", at: location)
    }

    static func sizeTooSmall(_ size: ByteSize, for field: String, minimum: ByteSize, at location: SourceLocation) -> Diagnostic {
        .error("\(field) must be at least \(minimum), not \(size)", at: location)
    }

    static func badPath(_ path: String, for field: String, problem: Syntax.PathProblem, at location: SourceLocation) -> Diagnostic {
        let why: String
        switch problem {
        case .notAbsolute: why = "it must be absolute (start with '/')"
        case .parentComponent: why = "it must not contain '..'"
        case let .forbiddenCharacter(c): why = "it must not contain \(shown(String(c)))"
        case .tooLong: why = "it is longer than 1024 bytes"
        case .root: why = "it must not be '/' itself"
        }
        return .error("\(shown(path)) is refused as \(field): \(why)", at: location)
    }

    /// "a mapping", "a list", "'text'": what the user wrote, for type errors.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case let .scalar(scalar):
            if scalar.style == .plain, NodeReader.nullTexts.contains(scalar.string) { return "nothing" }
            return shown(scalar.string, limit: 32)
        }
    }
}
