extension Node {
    /// A mapping's entries in written order.
    public struct Mapping: RandomAccessCollection, Sendable {
        public typealias Element = (key: Node, value: Node)

        public var pairs: [Element]
        public var mark: Mark

        public init(_ pairs: [Element], mark: Mark) {
            self.pairs = pairs
            self.mark = mark
        }

        public var startIndex: Int { pairs.startIndex }
        public var endIndex: Int { pairs.endIndex }
        public subscript(position: Int) -> Element { pairs[position] }

        public var keys: [Node] { pairs.map(\.key) }

        /// The value of the last entry whose key is the text `key`.
        public subscript(key: String) -> Node? {
            pairs.last { $0.key.scalar?.isKey(key) == true }?.value
        }
    }
}
