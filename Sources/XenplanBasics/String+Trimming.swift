extension StringProtocol {
    /// Without leading and trailing spaces and tabs (what Foundation calls `.whitespaces`).
    public func trimmingSpaces() -> String { trimming { $0.unicodeScalars.allSatisfy(Self.isSpace) } }

    /// Without leading and trailing white space, line breaks included.
    public func trimmingWhitespace() -> String { trimming(\.isWhitespace) }

    /// Without leading and trailing line breaks.
    public func trimmingNewlines() -> String { trimming(\.isNewline) }

    private func trimming(_ drop: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !drop($0) }), let last = lastIndex(where: { !drop($0) }) else { return "" }
        return String(self[first...last])
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
    }
}
