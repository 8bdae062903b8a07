extension Duration {
    /// `60 s`, `0.5 s`, `1800 s`: deadlines as messages show them.
    public var shownSeconds: String {
        let (seconds, attoseconds) = components
        let millis = attoseconds / 1_000_000_000_000_000
        if millis == 0 { return "\(seconds) s" }
        var fraction = String(millis)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(seconds).\(fraction) s"
    }
}
