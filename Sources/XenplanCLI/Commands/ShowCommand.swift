import ArgumentParser
import Executor
import Planner

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a plan saved with `xenplan plan --out`, as `plan` showed it; contacts no host.",
        discussion: "The file is checked as `apply` checks it (format, size, every field); see docs/plan-format.md."
    )

    @Argument(help: "A plan saved with `xenplan plan --out FILE`.")
    var planFile: String

    @Flag(help: "Print the plan document as JSON (as `plan --json` printed it).")
    var json = false

    func run() async throws {
        try await guarded {
            let plan = try PlanFile.read(planFile)
            if json {
                Console.out(try PlanJSON.encode(plan))
                return
            }
            let directory = plan.manifestDirectory ?? "."
            var lines = ["Plan \(planFile), made from \(directory) (manifests \(plan.manifestHash), digest \(plan.digest))"]
            if let flags = plan.madeWith?.shown, !flags.isEmpty { lines.append("Made with \(flags)") }
            Console.out(lines.joined(separator: "\n") + "\n")
            Console.out(PlanText(plan: plan, style: .current, directory: directory, closing: .savedEarlier(planFile)).render())
        }
    }
}
