/// A xenstore tree: nodes by full path, each with a value and its children in creation
/// order (xenstored lists children in the order they were made). Value type, so a
/// transaction can work on a copy and be committed by replacing the tree.
struct XenstoreTree: Equatable {
    struct Node: Equatable {
        var value: [UInt8] = []
        var children: [String] = []
    }

    private(set) var nodes: [String: Node] = ["/": Node()]

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), path != "/" else { return "/" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func leaf(of path: String) -> String {
        String(path[path.index(after: path.lastIndex(of: "/")!)...])
    }

    func read(_ path: String) -> [UInt8]? { nodes[path]?.value }
    func children(_ path: String) -> [String]? { nodes[path]?.children }

    /// Creates missing parents with empty values, as xenstored does.
    mutating func write(_ path: String, _ value: [UInt8]) {
        ensure(path)
        nodes[path]!.value = value
    }

    mutating func mkdir(_ path: String) { ensure(path) }

    private mutating func ensure(_ path: String) {
        guard nodes[path] == nil else { return }
        let parent = Self.parent(of: path)
        ensure(parent)
        nodes[parent]!.children.append(Self.leaf(of: path))
        nodes[path] = Node()
    }

    /// Removes the node and everything under it; false when it does not exist.
    @discardableResult
    mutating func remove(_ path: String) -> Bool {
        guard let node = nodes[path], path != "/" else { return false }
        for child in node.children { remove(path + "/" + child) }
        nodes[path] = nil
        let parent = Self.parent(of: path)
        nodes[parent]?.children.removeAll { $0 == Self.leaf(of: path) }
        return true
    }

    /// Loads `xenstore-ls -f` text: `/full/path = "value"` per line, parents first.
    static func parse(lsFull text: String) -> XenstoreTree {
        var tree = XenstoreTree()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let range = line.range(of: " = \"") else { continue }
            let path = String(line[..<range.lowerBound])
            let value = String(line[range.upperBound...].dropLast())
            tree.write(path, Array(value.utf8))
        }
        return tree
    }
}
