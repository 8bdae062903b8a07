/// `xenplan-bench generate --hosts N --domains M --out DIR`: writes DIR/manifests and
/// DIR/state for a synthetic lab.
struct Arguments {
    var hosts = 2
    var domains = 30
    var out = "bench-out/lab"

    init(_ argv: [String]) throws {
        var rest = argv.dropFirst()
        guard rest.first == "generate" else { throw BenchError.usage }
        rest = rest.dropFirst()
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError.usage }
            switch flag {
            case "--hosts": hosts = Int(value) ?? 0
            case "--domains": domains = Int(value) ?? 0
            case "--out": out = value
            default: throw BenchError.usage
            }
        }
        guard hosts > 0, domains > 0 else { throw BenchError.usage }
    }
}
