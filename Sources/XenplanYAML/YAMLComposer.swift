import CYAML

/// Composes one YAML document into a `Node` tree in a single pass over libyaml's
/// events, with the checks a tree from untrusted text needs made on the way.
///
/// The pass is iterative and bounded, so any input ends quickly: it refuses nesting
/// deeper than `maxDepth`, documents whose aliases expand to more than `maxNodes`
/// nodes, keys that are not scalars, plain `<<` merge keys and more than one document,
/// and it reports every duplicate mapping key with both positions.
public struct YAMLComposer {
    public struct Limits: Sendable {
        public var maxDepth: Int
        public var maxNodes: Int

        public init(maxDepth: Int, maxNodes: Int) {
            self.maxDepth = maxDepth
            self.maxNodes = maxNodes
        }
    }

    public struct Outcome: Sendable {
        /// The document's root; nil when the stream holds no document or there is a problem.
        public var root: Node?
        /// Every problem, in the order found; any problem means the tree is refused.
        public var problems: [YAMLProblem] = []
        /// The stream holds no document at all (only comments, or nothing).
        public var isEmpty = true
    }

    public let limits: Limits

    public init(limits: Limits) { self.limits = limits }

    /// Composes UTF-8 text.
    public func compose(_ bytes: [UInt8]) -> Outcome {
        var outcome = Outcome()
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            outcome.problems.append(.outOfMemory)
            return outcome
        }
        defer { yaml_parser_delete(&parser) }
        bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var pass = Pass(limits: limits)
            pass.run(&parser, &outcome)
        }
        if !outcome.problems.isEmpty { outcome.root = nil }
        return outcome
    }
}

/// The state of one pass: the open collections and the anchors seen so far.
private struct Pass {
    struct Frame {
        var isMapping: Bool
        var mark: Mark
        var items: [Node] = []
        var pairs: [(key: Node, value: Node)] = []
        var pendingKey: Node?
        var keys: [String: Mark] = [:]
        var anchor: String?
        /// The node count when the collection began, for its anchor's expanded size.
        var startCount: Int
    }

    let limits: YAMLComposer.Limits
    var stack: [Frame] = []
    var anchors: [String: (node: Node, size: Int)] = [:]
    var count = 0
    var sawAlias = false
    var documents = 0

    init(limits: YAMLComposer.Limits) { self.limits = limits }

    mutating func run(_ parser: inout yaml_parser_t, _ outcome: inout YAMLComposer.Outcome) {
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                outcome.problems.append(Self.syntaxProblem(parser))
                return
            }
            defer { yaml_event_delete(&event) }
            let at = Self.mark(event.start_mark)

            switch event.type {
            case YAML_STREAM_END_EVENT:
                return
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                outcome.isEmpty = false
                if documents > 1 {
                    outcome.problems.append(.secondDocument(at))
                    return
                }
            case YAML_SCALAR_EVENT, YAML_ALIAS_EVENT, YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                if let problem = begin(&event, at: at, &outcome) {
                    outcome.problems.append(problem)
                    return
                }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { break }
                let node: Node =
                    frame.isMapping
                    ? .mapping(Node.Mapping(frame.pairs, mark: frame.mark))
                    : .sequence(Node.Sequence(frame.items, mark: frame.mark))
                if let anchor = frame.anchor { anchors[anchor] = (node, count - frame.startCount) }
                attach(node, &outcome)
            default:
                break
            }
        }
    }

    /// A node begins: checks it as a key of the enclosing mapping, counts it, and either
    /// attaches it (scalar, alias) or opens its collection. Returns a problem that ends
    /// the pass.
    private mutating func begin(_ event: inout yaml_event_t, at: Mark, _ outcome: inout YAMLComposer.Outcome) -> YAMLProblem? {
        if let top = stack.indices.last, stack[top].isMapping, stack[top].pendingKey == nil {
            guard event.type == YAML_SCALAR_EVENT else { return .complexKey(at) }
            let scalar = event.data.scalar
            let key = Self.string(scalar.value, length: scalar.length)
            if key == "<<" && scalar.style == YAML_PLAIN_SCALAR_STYLE {
                outcome.problems.append(.mergeKey(at))
            } else if let first = stack[top].keys[key] {
                outcome.problems.append(.duplicateKey(key, at, first: first))
            } else {
                stack[top].keys[key] = at
            }
        }
        switch event.type {
        case YAML_ALIAS_EVENT:
            let name = String(cString: event.data.alias.anchor)
            guard let anchored = anchors[name] else { return .undefinedAlias(name, at) }
            sawAlias = true
            count += anchored.size
            if count > limits.maxNodes { return .tooManyNodes(at, throughAliases: true) }
            attach(anchored.node, &outcome)
        case YAML_SCALAR_EVENT:
            count += 1
            if count > limits.maxNodes { return .tooManyNodes(at, throughAliases: sawAlias) }
            let scalar = event.data.scalar
            let node = Node.scalar(
                Node.Scalar(
                    Self.string(scalar.value, length: scalar.length), style: Self.style(scalar.style),
                    tag: scalar.tag.map { String(cString: $0) }, mark: at))
            if let anchor = scalar.anchor { anchors[String(cString: anchor)] = (node, 1) }
            attach(node, &outcome)
        default:
            guard stack.count < limits.maxDepth else { return .tooDeep(at) }
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
            stack.append(Frame(isMapping: isMapping, mark: at, anchor: anchor.map { String(cString: $0) }, startCount: count))
            count += 1
            if count > limits.maxNodes { return .tooManyNodes(at, throughAliases: sawAlias) }
        }
        return nil
    }

    /// A complete node joins the open collection, or becomes the root.
    private mutating func attach(_ node: Node, _ outcome: inout YAMLComposer.Outcome) {
        guard let top = stack.indices.last else {
            outcome.root = node
            return
        }
        if !stack[top].isMapping {
            stack[top].items.append(node)
        } else if let key = stack[top].pendingKey {
            stack[top].pairs.append((key, node))
            stack[top].pendingKey = nil
        } else {
            stack[top].pendingKey = node
        }
    }

    private static func syntaxProblem(_ parser: yaml_parser_t) -> YAMLProblem {
        let problem = parser.problem.map { String(cString: $0) } ?? "unreadable YAML"
        let isReaderError = parser.error == YAML_READER_ERROR
        var context: (String, Mark)?
        if let text = parser.context, !isReaderError {
            context = (String(cString: text), mark(parser.context_mark))
        }
        return .syntax(
            problem: problem, mark: mark(parser.problem_mark), byteOffset: parser.problem_offset,
            isReaderError: isReaderError, context: context)
    }

    private static func mark(_ mark: yaml_mark_t) -> Mark {
        Mark(line: mark.line + 1, column: mark.column + 1)
    }

    private static func style(_ style: yaml_scalar_style_t) -> Node.Scalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>, length: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}
