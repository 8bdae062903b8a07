/// A minimal FIFO queue with O(1) pops.
struct Deque<Element> {
    private var items: [Element] = []
    private var head = 0
    mutating func append(_ e: Element) { items.append(e) }
    mutating func popFirst() -> Element? {
        guard head < items.count else { return nil }
        defer {
            head += 1
            if head > 1024 && head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
        }
        return items[head]
    }
}
