/// Why a text did not compose into a tree, or composed into one that is refused.
public enum YAMLProblem: Error, Sendable, CustomStringConvertible {
    /// libyaml could not read the text: `problem` is its message, `mark` where it
    /// stopped, `byteOffset` the same as a byte count (the only position libyaml gives
    /// for undecodable bytes, `isReaderError`), and `context` what it was reading.
    case syntax(problem: String, mark: Mark, byteOffset: Int, isReaderError: Bool, context: (String, Mark)?)
    /// Collections nested deeper than the limit.
    case tooDeep(Mark)
    /// More nodes than the limit; `throughAliases` when aliases contributed.
    case tooManyNodes(Mark, throughAliases: Bool)
    case undefinedAlias(String, Mark)
    /// Reported for every repeat, with the first occurrence.
    case duplicateKey(String, Mark, first: Mark)
    /// A plain `<<` key: merge keys are not expanded, so they are refused.
    case mergeKey(Mark)
    /// A key that is a collection or an alias.
    case complexKey(Mark)
    /// The start of a second document.
    case secondDocument(Mark)
    case outOfMemory

    public var mark: Mark? {
        switch self {
        case let .syntax(_, mark, _, _, _): return mark
        case let .tooDeep(mark), let .tooManyNodes(mark, _), let .undefinedAlias(_, mark), let .duplicateKey(_, mark, _),
            let .mergeKey(mark), let .complexKey(mark), let .secondDocument(mark):
            return mark
        case .outOfMemory: return nil
        }
    }

    /// What went wrong, without the position.
    public var message: String {
        switch self {
        case let .syntax(problem, _, _, _, _): return problem
        case .tooDeep: return "nesting too deep"
        case .tooManyNodes: return "too many values"
        case let .undefinedAlias(name, _): return "alias *\(name) refers to no anchor defined before it"
        case let .duplicateKey(key, _, first): return "key '\(key)' is written twice (first at \(first))"
        case .mergeKey: return "the merge key '<<' is not supported"
        case .complexKey: return "a mapping key must be a plain scalar"
        case .secondDocument: return "a second document starts here"
        case .outOfMemory: return "out of memory"
        }
    }

    public var description: String { mark.map { "\($0): \(message)" } ?? message }
}
