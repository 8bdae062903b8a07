import Foundation
import HostModel
import Manifest
import Planner
import SimDriver
import XenplanBasics

do {
    let arguments = try Arguments(CommandLine.arguments)
    let root = URL(fileURLWithPath: arguments.out)
    if arguments.command == .applyFigure {
        let result = try await ApplyFigure(directory: root, parallelism: arguments.parallelism).run()
        let shown = { (value: Double) in String(Int((value * 100).rounded())).paddedCentiseconds }
        print(
            "latency lab: \(result.actions) actions, wall \(shown(result.wall)) s, critical path \(shown(result.criticalPath)) s, "
                + "ratio \(shown(result.ratio)) (goal ≤ 1.15)")
        print("reproduce: xenplan-bench apply-figure --out \(root.path) --parallelism \(arguments.parallelism)")
        exit(0)
    }
    try? FileManager.default.removeItem(at: root)
    let manifests = root.appendingPathComponent("manifests")
    let state = root.appendingPathComponent("state")
    try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)

    let synthetic = SyntheticLab(hosts: arguments.hosts, domains: arguments.domains)
    for (name, text) in synthetic.manifestFiles() {
        try text.write(to: manifests.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    let lab: Lab
    do {
        lab = try ManifestLoader.load(directory: manifests.path).lab
    } catch {
        throw BenchError.invalid(error.diagnostics.prefix(5).map(\.description).joined(separator: "\n"))
    }
    let files = try synthetic.midLifeHosts(lab: lab)
    let store = SimStore(directory: state)
    for (host, file) in files { try store.write(file, to: store.seedURL(host)) }
    print("generated \(arguments.hosts) hosts, \(arguments.domains) domains in \(root.path)")
} catch {
    FileHandle.standardError.write(Data("xenplan-bench: \(error)\n".utf8))
    exit(1)
}

extension String {
    /// `1234` → `12.34`: hundredths as a decimal, without a formatter.
    var paddedCentiseconds: String {
        let digits = String(repeating: "0", count: max(0, 3 - count)) + self
        return digits.dropLast(2) + "." + digits.suffix(2)
    }
}
