import Testing
import XenplanYAML

/// The tree the composer builds, and what it refuses; the manifest's own diagnostics
/// over these problems are asserted by the broken-manifest fixtures.
struct YAMLComposerTests {
    static let limits = YAMLComposer.Limits(maxDepth: 8, maxNodes: 100)

    static func compose(_ text: String) -> YAMLComposer.Outcome {
        YAMLComposer(limits: limits).compose(Array(text.utf8))
    }

    @Test func scalarsKeepTheirTextStyleTagAndPosition() throws {
        let root = try #require(Self.compose("a: 2\nb: '2'\nc: !!str 3\nd: \"x\\ty\"\n").root)
        guard case let .mapping(mapping) = root else { Issue.record("not a mapping"); return }
        let values = mapping.map { ($0.key.scalar?.string, $0.value.scalar?.string, $0.value.scalar?.style) }
        #expect(values.map(\.0) == ["a", "b", "c", "d"])
        #expect(values.map(\.1) == ["2", "2", "3", "x\ty"])
        #expect(values.map(\.2) == [.plain, .singleQuoted, .plain, .doubleQuoted])
        #expect(mapping["c"]?.scalar?.tag == "tag:yaml.org,2002:str")
        #expect(mapping["d"]?.mark == Mark(line: 4, column: 4))
        #expect(root.mark == Mark(line: 1, column: 1))
    }

    @Test func anAliasIsTheNodeItsAnchorNames() throws {
        let root = try #require(Self.compose("base: &b {x: [1, 2]}\ncopy: *b\n").root)
        guard case let .mapping(mapping) = root, case let .mapping(copy)? = mapping["copy"],
            case let .sequence(items)? = copy["x"]
        else {
            Issue.record("unexpected tree")
            return
        }
        #expect(items.map { $0.scalar?.string } == ["1", "2"])
        // The copy is where the anchored node was written (its anchor included), as the
        // reader of the tree reports it.
        #expect(mapping["copy"]?.mark == Mark(line: 1, column: 7))
    }

    @Test func everyDuplicateKeyIsReportedWithTheFirst() {
        let problems = Self.compose("a: 1\nb: 2\na: 3\na: 4\n").problems.map(\.description)
        #expect(
            problems == [
                "3:1: key 'a' is written twice (first at 1:1)", "4:1: key 'a' is written twice (first at 1:1)",
            ])
    }

    @Test(arguments: [
        ("[[[[[[[[[1]]]]]]]]]", "1:9: nesting too deep"),
        ("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n", "2:33: too many values"),
        ("a: *nothing\n", "1:4: alias *nothing refers to no anchor defined before it"),
        ("<<: {a: 1}\n", "1:1: the merge key '<<' is not supported"),
        ("? [a]\n: 1\n", "1:3: a mapping key must be a plain scalar"),
        ("a: 1\n---\nb: 2\n", "2:1: a second document starts here"),
        ("a: [1\n", "2:1: did not find expected ',' or ']'"),
    ])
    func whatIsRefused(_ text: String, _ expected: String) {
        let outcome = Self.compose(text)
        #expect(outcome.problems.map(\.description) == [expected])
        #expect(outcome.root == nil)
    }

    @Test func aStreamOfCommentsHoldsNoDocument() {
        let outcome = Self.compose("# nothing\n")
        #expect(outcome.isEmpty && outcome.problems.isEmpty && outcome.root == nil)
    }
}
