import XenplanBasics

/// Just enough of JSON Schema (draft 2020-12) to check manifests against
/// `ManifestSchema` in tests, there being no validator among the dependencies: the
/// keywords the schema uses, each as the specification defines it. A keyword it does
/// not know is an error, so that the schema cannot use one that is silently skipped.
final class SchemaValidator {
    let schema: PlainValue
    private var patterns: [String: Regex<AnyRegexOutput>] = [:]

    /// Keywords that only describe.
    private static let annotations: Set<String> = ["$schema", "$defs", "title", "description"]

    init(schema text: String) throws {
        schema = try PlainValue(yaml: text)
    }

    /// Every violation, each as `/json/pointer: what`; empty when `instance` is valid.
    func errors(_ instance: PlainValue) -> [String] {
        var errors: [String] = []
        check(instance, against: schema, at: "", into: &errors)
        return errors
    }

    private func check(_ value: PlainValue, against schema: PlainValue, at path: String, into errors: inout [String]) {
        if case let .bool(accepts) = schema {
            if !accepts { errors.append("\(path): not allowed") }
            return
        }
        guard case let .object(keywords) = schema else {
            errors.append("\(path): the schema is neither an object nor a boolean")
            return
        }
        for (keyword, argument) in keywords.sorted(by: { $0.key < $1.key }) {
            apply(keyword, argument, in: keywords, to: value, at: path, into: &errors)
        }
    }

    private func valid(_ value: PlainValue, _ schema: PlainValue) -> Bool {
        var errors: [String] = []
        check(value, against: schema, at: "", into: &errors)
        return errors.isEmpty
    }

    private func apply(
        _ keyword: String, _ argument: PlainValue, in keywords: [String: PlainValue], to value: PlainValue, at path: String,
        into errors: inout [String]
    ) {
        switch keyword {
        case _ where Self.annotations.contains(keyword):
            break
        case "$ref":
            guard let target = resolve(argument.string ?? "") else {
                errors.append("\(path): unresolved $ref \(argument)")
                return
            }
            check(value, against: target, at: path, into: &errors)
        case "type":
            let types = argument.array?.compactMap(\.string) ?? [argument.string ?? ""]
            if !types.contains(where: { Self.has(value, type: $0) }) {
                errors.append("\(path): \(Self.describe(value)) is not of type \(types.joined(separator: " or "))")
            }
        case "enum":
            if !(argument.array ?? []).contains(value) { errors.append("\(path): \(Self.describe(value)) is not one of \(argument)") }
        case "pattern":
            guard case let .string(text) = value, let pattern = argument.string else { return }
            if (try? regex(pattern).firstMatch(in: text)) == nil {
                errors.append("\(path): \(Self.describe(value)) does not match \(pattern)")
            }
        case "minimum":
            if let number = value.numeric, let minimum = argument.numeric, number < minimum {
                errors.append("\(path): \(Self.describe(value)) is less than \(minimum)")
            }
        case "maximum":
            if let number = value.numeric, let maximum = argument.numeric, number > maximum {
                errors.append("\(path): \(Self.describe(value)) is more than \(maximum)")
            }
        case "minItems", "maxItems", "uniqueItems", "items":
            guard case let .array(items) = value else { return }
            checkItems(keyword, argument, items, at: path, into: &errors)
        case "properties", "additionalProperties", "propertyNames", "required", "dependentRequired":
            guard case let .object(members) = value else { return }
            checkMembers(keyword, argument, members, keywords: keywords, at: path, into: &errors)
        case "allOf":
            for schema in argument.array ?? [] { check(value, against: schema, at: path, into: &errors) }
        case "anyOf":
            let schemas = argument.array ?? []
            if !schemas.contains(where: { valid(value, $0) }) {
                var why: [String] = []
                for schema in schemas { check(value, against: schema, at: path, into: &why) }
                errors.append("\(path): matches none of anyOf (\(why.joined(separator: "; ")))")
            }
        case "not":
            if valid(value, argument) { errors.append("\(path): \(Self.describe(value)) matches a schema it must not: \(argument)") }
        case "if":
            let branch = valid(value, argument) ? keywords["then"] : keywords["else"]
            if let branch { check(value, against: branch, at: path, into: &errors) }
        case "then", "else":
            break
        default:
            errors.append("\(path): the validator does not know the keyword \(keyword)")
        }
    }

    private func checkItems(_ keyword: String, _ argument: PlainValue, _ items: [PlainValue], at path: String, into errors: inout [String]) {
        switch keyword {
        case "minItems":
            if let minimum = argument.numeric, Double(items.count) < minimum { errors.append("\(path): fewer than \(minimum) items") }
        case "maxItems":
            if let maximum = argument.numeric, Double(items.count) > maximum { errors.append("\(path): more than \(maximum) items") }
        case "uniqueItems":
            if argument == .bool(true) {
                for (index, item) in items.enumerated() where items[..<index].contains(item) {
                    errors.append("\(path)/\(index): \(Self.describe(item)) is listed twice")
                }
            }
        default:
            for (index, item) in items.enumerated() { check(item, against: argument, at: "\(path)/\(index)", into: &errors) }
        }
    }

    private func checkMembers(
        _ keyword: String, _ argument: PlainValue, _ members: [String: PlainValue], keywords: [String: PlainValue], at path: String,
        into errors: inout [String]
    ) {
        let properties: [String: PlainValue]
        if case let .object(declared)? = keywords["properties"] { properties = declared } else { properties = [:] }
        switch keyword {
        case "properties":
            for (name, value) in members.sorted(by: { $0.key < $1.key }) {
                if let schema = properties[name] { check(value, against: schema, at: "\(path)/\(name)", into: &errors) }
            }
        case "additionalProperties":
            for (name, value) in members.sorted(by: { $0.key < $1.key }) where properties[name] == nil {
                check(value, against: argument, at: "\(path)/\(name)", into: &errors)
            }
        case "propertyNames":
            for name in members.keys.sorted() { check(.string(name), against: argument, at: "\(path)/\(name) (the name)", into: &errors) }
        case "required":
            for name in argument.array?.compactMap(\.string) ?? [] where members[name] == nil {
                errors.append("\(path): \(name) is required")
            }
        default:  // dependentRequired
            guard case let .object(dependencies) = argument else { return }
            for (name, needed) in dependencies.sorted(by: { $0.key < $1.key }) where members[name] != nil {
                for other in needed.array?.compactMap(\.string) ?? [] where members[other] == nil {
                    errors.append("\(path): \(name) needs \(other)")
                }
            }
        }
    }

    /// `#/$defs/NAME`, the only kind of reference the schema makes.
    private func resolve(_ reference: String) -> PlainValue? {
        let prefix = "#/$defs/"
        guard reference.hasPrefix(prefix) else { return nil }
        return schema["$defs"]?[String(reference.dropFirst(prefix.count))]
    }

    /// ECMA-262 patterns search, unanchored, code point by code point.
    private func regex(_ pattern: String) throws -> Regex<AnyRegexOutput> {
        if let known = patterns[pattern] { return known }
        let compiled = try Regex(pattern).matchingSemantics(.unicodeScalar)
        patterns[pattern] = compiled
        return compiled
    }

    /// Whether `pattern` compiles (for checking the schema itself).
    func compiles(_ pattern: String) -> Bool { (try? regex(pattern)) != nil }

    /// Whether the text matches, as `pattern` does in the schema.
    func matches(_ text: String, _ pattern: String) -> Bool { (try? regex(pattern).firstMatch(in: text)) != nil }

    private static func has(_ value: PlainValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("object", .object), ("array", .array), ("string", .string): return true
        case ("number", .integer), ("number", .number), ("integer", .integer): return true
        case let ("integer", .number(number)): return number.isFinite && number == number.rounded()
        default: return false
        }
    }

    private static func describe(_ value: PlainValue) -> String {
        switch value {
        case .null: return "null"
        case let .bool(flag): return String(flag)
        case let .integer(number): return String(number)
        case let .number(number): return String(number)
        case let .string(text): return shownValue(text)
        case .array: return "a list"
        case .object: return "a mapping"
        }
    }
}
