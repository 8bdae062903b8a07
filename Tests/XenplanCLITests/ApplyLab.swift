import Foundation
import Testing

/// A copy of the committed example-lab state, and the commands the apply tests run on it.
struct ApplyLab {
    let state: URL

    init() throws { state = try Repository.copyOfCommittedState() }

    func remove() { try? FileManager.default.removeItem(at: state) }

    /// `xenplan ARGS… --state-dir STATE` (the state option goes last, after any `--`-less
    /// positional arguments, which every subcommand accepts).
    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Binary.Result {
        try Binary.run(arguments + ["--state-dir", state.path], environment: environment)
    }

    func apply(_ extra: [String] = [], environment: [String: String] = [:]) throws -> Binary.Result {
        try run(["apply", "examples/lab", "--auto-approve", "--allow-destroy"] + extra, environment: environment)
    }

    /// `plan --detailed-exitcode`: 0 when converged.
    func planStatus() throws -> Int32 {
        try run(["plan", "examples/lab", "--detailed-exitcode"]).status
    }

    /// What a host shows: domain names as `xl list` does (transient ones with their
    /// suffix), xenplan's configurations, volumes as `container/name`.
    struct Snapshot: Equatable {
        var domains: [String]
        var configs: [String]
        var volumes: Set<String>
    }

    func snapshot(_ host: String) throws -> Snapshot {
        let result = try run(["sim", "show", host, "--observed"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let domains = (object["domains"] as? [[String: Any]] ?? []).compactMap { d -> String? in
            guard let name = d["name"] as? String, (d["domid"] as? Int) != 0 else { return nil }
            return name + ((d["transient"] as? String).map { "--\($0.lowercased())" } ?? "")
        }
        let configs = (object["configs"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        let volumes = (object["volumes"] as? [[String: Any]] ?? []).compactMap { v -> String? in
            guard let c = v["container"] as? String, let n = v["name"] as? String else { return nil }
            return "\(c)/\(n)"
        }
        return Snapshot(domains: domains.sorted(), configs: configs.sorted(), volumes: Set(volumes))
    }

    func snapshots() throws -> [String: Snapshot] {
        ["cpt18": try snapshot("cpt18"), "cpt76": try snapshot("cpt76")]
    }

    /// The working copies, byte for byte, to show that nothing changed.
    func liveFiles() throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: state.path) where name.hasSuffix(".live.json") {
            files[name] = try Data(contentsOf: state.appendingPathComponent(name))
        }
        return files
    }

    /// Starts `xenplan ARGS… --state-dir STATE` without waiting for it.
    func launch(_ arguments: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = Binary.url
        process.arguments = arguments + ["--state-dir", state.path]
        process.currentDirectoryURL = Repository.root
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "XENPLAN_STATE_DIR")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits (polling) until `condition` holds, at most `seconds`.
    func wait(upTo seconds: Double, for condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }

    func journal() -> [[String: Any]] {
        let path = state.appendingPathComponent("journal.jsonl").path
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: 0x0A).compactMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
    }
}

/// The example lab once converged, whatever way it got there: every declared domain
/// exactly once, on its declared host, managed there and nowhere else.
enum ConvergedLab {
    static let cpt18Domains = ["ldap", "nagios", "ns1", "ocs", "origami", "teach1", "teach2", "teach3", "www"]
    static let cpt76Domains = ["conf-web", "git", "ns2", "print", "proxy", "team-git", "tmpbox"]
}
