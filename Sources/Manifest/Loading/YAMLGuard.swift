import XenplanBasics
import XenplanYAML

/// A file's text composed into a tree under fixed limits, with every problem as a
/// diagnostic.
///
/// The tree comes from untrusted text, so the composer is bounded and iterative: any
/// input ends quickly with a diagnostic. It refuses nesting deeper than `maxDepth`,
/// documents whose aliases expand to more than `maxNodes` nodes, non-scalar or merge
/// (`<<`) keys, more than one document, and reports every duplicate mapping key with
/// both positions.
struct YAMLGuard {
    static let maxDepth = 64
    /// Values a file may hold, aliases expanded. A file's size (`maximumFileSize`) bounds
    /// its literal values already; this bounds what aliases can add, at a count far above
    /// a 10,000-domain lab in one file (about 250,000) and far below what costs memory.
    static let maxNodes = 1_000_000

    struct Outcome {
        var root: Node?
        var diagnostics: [Diagnostic] = []
        /// The stream holds no document at all (only comments, or nothing).
        var isEmpty = true
    }

    let source: SourceText

    func run() -> Outcome {
        let composed = YAMLComposer(limits: .init(maxDepth: Self.maxDepth, maxNodes: Self.maxNodes)).compose(source.bytes)
        return Outcome(
            root: composed.root, diagnostics: composed.problems.map(diagnostic), isEmpty: composed.isEmpty)
    }

    private func diagnostic(_ problem: YAMLProblem) -> Diagnostic {
        switch problem {
        case let .syntax(text, mark, offset, isReaderError, context):
            let at = isReaderError ? source.location(ofByte: offset) : location(mark)
            // libyaml has its own nesting limit (1000), which its scanner can reach while
            // looking ahead, before the composer sees the 65th level.
            if text.contains("nesting level") { return .tooDeep(at: at) }
            // Tabs used for indentation produce libyaml errors that do not say so.
            if let tab = source.indentationTab(upToLine: at.line) {
                return .tabIndentation(at: tab)
            }
            let notes = context.map { [Diagnostic.Note($0.0, at: location($0.1))] } ?? []
            return .yamlSyntax(text, at: at, notes: notes)
        case let .tooDeep(mark): return .tooDeep(at: location(mark))
        case let .tooManyNodes(mark, throughAliases):
            return throughAliases ? .aliasBomb(at: location(mark)) : .tooManyNodes(at: location(mark))
        case let .undefinedAlias(name, mark): return .undefinedAlias(name, at: location(mark))
        case let .duplicateKey(key, mark, first): return .duplicateKey(key, at: location(mark), first: location(first))
        case let .mergeKey(mark): return .mergeKey(at: location(mark))
        case let .complexKey(mark): return .complexKey(at: location(mark))
        case let .secondDocument(mark): return .secondDocument(at: location(mark))
        case .outOfMemory: return .error("out of memory while reading YAML", at: .file(source.path))
        }
    }

    private func location(_ mark: Mark) -> SourceLocation {
        SourceLocation(file: source.path, line: mark.line, column: mark.column)
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
