/// A YAML node as the composer builds it: aliases are already replaced by the node
/// their anchor names, and every node carries where it was written.
///
/// Scalars stay text: nothing here decides what is a number or a boolean, so the
/// reader of the tree decides, and quoted text (`"2"`) can be told from plain (`2`).
public enum Node: Sendable {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(Sequence)

    /// Where the node starts (for a collection, its first token).
    public var mark: Mark {
        switch self {
        case let .scalar(scalar): return scalar.mark
        case let .mapping(mapping): return mapping.mark
        case let .sequence(sequence): return sequence.mark
        }
    }

    public var scalar: Scalar? {
        guard case let .scalar(scalar) = self else { return nil }
        return scalar
    }
}
