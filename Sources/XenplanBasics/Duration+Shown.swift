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

extension Duration {
    /// `0.4 ms`, `12.3 ms`, `2.310 s`: how long something took, as `--verbose` says it.
    public var shownElapsed: String {
        let (seconds, attoseconds) = components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        if micros < 1_000_000 {
            return "\(micros / 1000).\(micros % 1000 / 100) ms"
        }
        let millis = micros / 1000
        let fraction = String(millis % 1000)
        return "\(millis / 1000).\(String(repeating: "0", count: 3 - fraction.count) + fraction) s"
    }
}
