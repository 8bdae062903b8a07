/// Why the bench generated nothing: its arguments, or a synthetic lab the loader refused.
enum BenchError: Error, CustomStringConvertible {
    case usage
    case invalid(String)
    var description: String {
        switch self {
        case .usage:
            return "usage: xenplan-bench generate --hosts N --domains M --out DIR\n"
                + "       xenplan-bench apply-figure [--out DIR] [--parallelism N]"
        case let .invalid(text): return text
        }
    }
}
