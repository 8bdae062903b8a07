extension Node {
    /// A sequence's items in written order.
    public struct Sequence: RandomAccessCollection, Sendable {
        public var items: [Node]
        public var mark: Mark

        public init(_ items: [Node], mark: Mark) {
            self.items = items
            self.mark = mark
        }

        public var startIndex: Int { items.startIndex }
        public var endIndex: Int { items.endIndex }
        public subscript(position: Int) -> Node { items[position] }
    }
}
