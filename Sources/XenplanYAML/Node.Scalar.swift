extension Node {
    /// A scalar's text as written (quotes and escapes resolved), how it was written,
    /// and its explicit tag, if any (`!!str 2` has `tag:yaml.org,2002:str`).
    public struct Scalar: Sendable {
        public enum Style: Sendable {
            case plain, singleQuoted, doubleQuoted, literal, folded
        }

        public var string: String
        public var style: Style
        public var tag: String?
        public var mark: Mark

        public init(_ string: String, style: Style = .plain, tag: String? = nil, mark: Mark) {
            self.string = string
            self.style = style
            self.tag = tag
            self.mark = mark
        }

        /// Whether the scalar stands for the text `key` as a mapping key: untagged, or
        /// tagged as a string.
        func isKey(_ key: String) -> Bool {
            string == key && (tag == nil || tag == "tag:yaml.org,2002:str")
        }
    }
}
