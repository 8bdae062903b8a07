/// `xenplan-bench generate --hosts N --domains M --out DIR`: writes DIR/manifests and
/// DIR/state for a synthetic lab. `xenplan-bench apply-figure --out DIR [--parallelism N]`:
/// applies the latency lab there and prints wall time against the critical path.
struct Arguments {
    enum Command { case generate, applyFigure }
    var command = Command.generate
    var hosts = 2
    var domains = 30
    var out = "bench-out/lab"
    var parallelism = 4

    init(_ argv: [String]) throws {
        var rest = argv.dropFirst()
        switch rest.popFirst() {
        case "generate": command = .generate
        case "apply-figure":
            command = .applyFigure
            out = "bench-out/latency"
        default: throw BenchError.usage
        }
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError.usage }
            switch (command, flag) {
            case (.generate, "--hosts"): hosts = Int(value) ?? 0
            case (.generate, "--domains"): domains = Int(value) ?? 0
            case (.applyFigure, "--parallelism"): parallelism = Int(value) ?? 0
            case (_, "--out"): out = value
            default: throw BenchError.usage
            }
        }
        guard hosts > 0, domains > 0, parallelism > 0 else { throw BenchError.usage }
    }
}
