import CYaml
import XenplanBasics

/// A pass over libyaml's event stream that runs before Yams composes a tree.
///
/// Yams has no limits: an alias bomb would expand without end, deep nesting would
/// recurse until the stack overflows, and its duplicate-key check stops at the first.
/// This pass is iterative and bounded, so any input ends quickly with a diagnostic:
/// it refuses nesting deeper than `maxDepth`, documents whose aliases expand to more
/// than `maxNodes` nodes, non-scalar or merge (`<<`) keys, more than one document, and
/// reports every duplicate mapping key with both positions.
struct YAMLGuard {
    static let maxDepth = 64
    /// Values a file may hold, aliases expanded. A file's size (`maximumFileSize`) bounds
    /// its literal values already; this bounds what aliases can add, at a count far above
    /// a 10,000-domain lab in one file (about 250,000) and far below what costs memory.
    static let maxNodes = 1_000_000

    struct Outcome {
        var diagnostics: [Diagnostic] = []
        /// The stream holds no document at all (only comments, or nothing).
        var isEmpty = true
    }

    private struct Frame {
        var isMapping: Bool
        var expectingKey = true
        var keys: [String: SourceLocation] = [:]
        /// Set when the collection carries an anchor: the node count when it began.
        var anchor: String?
        var startCount = 0
    }

    let source: SourceText

    func run() -> Outcome {
        var outcome = Outcome()
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            outcome.diagnostics.append(.error("out of memory while reading YAML", at: .file(source.path)))
            return outcome
        }
        defer { yaml_parser_delete(&parser) }
        source.bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            walk(&parser, &outcome)
        }
        return outcome
    }

    private func walk(_ parser: inout yaml_parser_t, _ outcome: inout Outcome) {
        var stack: [Frame] = []
        var anchorSizes: [String: Int] = [:]
        var count = 0
        var sawAlias = false
        var documents = 0

        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                outcome.diagnostics.append(syntaxError(parser))
                return
            }
            defer { yaml_event_delete(&event) }
            let at = location(event.start_mark)

            switch event.type {
            case YAML_STREAM_END_EVENT:
                return
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                outcome.isEmpty = false
                if documents > 1 {
                    outcome.diagnostics.append(.secondDocument(at: at))
                    return
                }
            case YAML_SCALAR_EVENT, YAML_ALIAS_EVENT, YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                // A node begins: first see whether it is a key of the enclosing mapping.
                if let top = stack.indices.last, stack[top].isMapping {
                    let isKey = stack[top].expectingKey
                    stack[top].expectingKey.toggle()
                    if isKey {
                        guard event.type == YAML_SCALAR_EVENT else {
                            outcome.diagnostics.append(.complexKey(at: at))
                            return
                        }
                        let key = string(event.data.scalar.value, length: event.data.scalar.length)
                        if key == "<<" && event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE {
                            outcome.diagnostics.append(.mergeKey(at: at))
                        } else if let first = stack[top].keys[key] {
                            outcome.diagnostics.append(.duplicateKey(key, at: at, first: first))
                        } else {
                            stack[top].keys[key] = at
                        }
                    }
                }
                switch event.type {
                case YAML_ALIAS_EVENT:
                    let name = string(event.data.alias.anchor)
                    guard let size = anchorSizes[name] else {
                        outcome.diagnostics.append(.undefinedAlias(name, at: at))
                        return
                    }
                    sawAlias = true
                    count += size
                case YAML_SCALAR_EVENT:
                    count += 1
                    if let anchor = event.data.scalar.anchor { anchorSizes[string(anchor)] = 1 }
                default:
                    guard stack.count < Self.maxDepth else {
                        outcome.diagnostics.append(.tooDeep(at: at))
                        return
                    }
                    let isMapping = event.type == YAML_MAPPING_START_EVENT
                    let anchorPointer = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                    stack.append(Frame(isMapping: isMapping, anchor: anchorPointer.map { string($0) }, startCount: count))
                    count += 1
                }
                if count > Self.maxNodes {
                    outcome.diagnostics.append(sawAlias ? .aliasBomb(at: at) : .tooManyNodes(at: at))
                    return
                }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                if let frame = stack.popLast(), let anchor = frame.anchor {
                    anchorSizes[anchor] = count - frame.startCount
                }
            default:
                break
            }
        }
    }

    private func syntaxError(_ parser: yaml_parser_t) -> Diagnostic {
        let problem = parser.problem.map { String(cString: $0) } ?? "unreadable YAML"
        let at: SourceLocation
        if parser.error == YAML_READER_ERROR {
            at = source.location(ofByte: parser.problem_offset)
        } else {
            at = location(parser.problem_mark)
        }
        // libyaml has its own nesting limit (1000), which its scanner can reach while
        // looking ahead, before this pass sees the 65th level.
        if problem.contains("nesting level") { return .tooDeep(at: at) }
        // Tabs used for indentation produce libyaml errors that do not say so.
        if let tab = source.indentationTab(upToLine: at.line) {
            return .tabIndentation(at: tab)
        }
        var notes: [Diagnostic.Note] = []
        if let context = parser.context, parser.error != YAML_READER_ERROR {
            notes.append(.init(String(cString: context), at: location(parser.context_mark)))
        }
        return .yamlSyntax(problem, at: at, notes: notes)
    }

    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: source.path, line: mark.line + 1, column: mark.column + 1)
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>, length: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>) -> String {
        String(cString: pointer)
    }
}

extension Diagnostic {
    static func yamlSyntax(_ problem: String, at location: SourceLocation, notes: [Note]) -> Diagnostic {
        .error("invalid YAML: \(problem)", at: location, notes: notes)
    }

    static func tabIndentation(at location: SourceLocation) -> Diagnostic {
        .error("tab used for indentation; YAML indents with spaces only", at: location)
    }

    static func tooDeep(at location: SourceLocation) -> Diagnostic {
        .error("nesting deeper than \(YAMLGuard.maxDepth) levels; a manifest needs a handful", at: location)
    }

    static func aliasBomb(at location: SourceLocation) -> Diagnostic {
        .error("aliases expand to more than \(YAMLGuard.maxNodes) nodes (a YAML alias bomb?)", at: location)
    }

    static func tooManyNodes(at location: SourceLocation) -> Diagnostic {
        .error("file has more than \(YAMLGuard.maxNodes) values; a manifest needs far fewer", at: location)
    }

    static func undefinedAlias(_ name: String, at location: SourceLocation) -> Diagnostic {
        .error("alias *\(name) refers to no anchor defined before it", at: location)
    }

    static func duplicateKey(_ key: String, at location: SourceLocation, first: SourceLocation) -> Diagnostic {
        .error(
            "key \(shown(key)) is written twice in the same mapping", at: location,
            notes: [.init("first written here", at: first)])
    }

    static func mergeKey(at location: SourceLocation) -> Diagnostic {
        .error("the YAML merge key '<<' is not supported; use 'defaults' or write the keys out", at: location)
    }

    static func complexKey(at location: SourceLocation) -> Diagnostic {
        .error("a mapping key must be a plain name, not a list, mapping or alias", at: location)
    }

    static func secondDocument(at location: SourceLocation) -> Diagnostic {
        .error("a manifest file holds one YAML document; a second one starts here (split it into two files)", at: location)
    }
}
