/// A deterministic random number generator (SplitMix64): the same seed gives the same
/// sequence on every platform and every run, so that a failing generated case can be
/// replayed from its seed alone. Not for anything but tests.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniformly chosen integer in `range`.
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// True with probability `p` (0…1).
    public mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }

    /// One element, or nil when `items` is empty.
    public mutating func pick<C: Collection>(_ items: C) -> C.Element? {
        guard !items.isEmpty else { return nil }
        return items[items.index(items.startIndex, offsetBy: int(0...(items.count - 1)))]
    }

    /// A random subset keeping each element with probability `p`, in the original order.
    public mutating func subset<T>(_ items: [T], keeping p: Double) -> [T] {
        items.filter { _ in chance(p) }
    }

    /// An independent generator derived from this one: a case and each of its transitions
    /// get their own stream, so that dropping a transition while shrinking does not change
    /// what the others draw.
    public mutating func split() -> SeededRandom { SeededRandom(seed: next()) }
}
