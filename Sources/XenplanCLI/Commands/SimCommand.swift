import ArgumentParser
import Foundation
import HostModel
import SimDriver

/// `xenplan sim`: control simulated hosts (SPEC §10).
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Control simulated hosts: reset, out-of-band changes, fault injection.",
        subcommands: [Reset.self, Xl.self, Fail.self, Show.self]
    )

    /// `sim reset`: back to the committed starting point.
    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the working copies of simulated hosts, so that the committed seeds apply again.")

        @OptionGroup var state: StateOptions

        func run() async throws {
            try await guarded {
                let directory = URL(fileURLWithPath: state.path)
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
                var hosts: [String] = []
                for name in names.sorted() {
                    let isLive = name.hasSuffix(".live.json"), isLock = name.hasSuffix(".sim.lock")
                    guard isLive || isLock else { continue }
                    let path = directory.appendingPathComponent(name).path
                    do {
                        try FileManager.default.removeItem(atPath: path)
                    } catch {
                        throw UserFacingError("cannot remove \(path): \(error.localizedDescription)")
                    }
                    if isLive { hosts.append(String(name.dropLast(".live.json".count))) }
                }
                if hosts.isEmpty {
                    Console.out("Nothing to reset in \(state.path): no simulated host has a working copy.")
                } else {
                    Console.out("Reset \(hosts.joined(separator: ", ")) in \(state.path): the committed seeds apply again.")
                }
            }
        }
    }

    /// `sim xl HOST ARGS…`: a change behind xenplan's back.
    struct Xl: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a simulated host behind xenplan's back, as a person with xl would.",
            discussion: SimXl.usage)

        @OptionGroup var state: StateOptions

        @Argument(help: "The simulated host.")
        var host: String

        @Argument(parsing: .allUnrecognized, help: "The xl-like command and its arguments (see below).")
        var arguments: [String] = []

        func run() async throws {
            try await guarded {
                let xl = SimXl(stateDirectory: URL(fileURLWithPath: state.path), host: host)
                Console.out("\(host): " + (try xl.run(arguments)))
            }
        }
    }

    /// `sim fail HOST OPERATION`: fault injection.
    struct Fail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the next N operations of a kind fail on a simulated host.",
            discussion: "OPERATION is one of: \(HostOperation.allKinds.joined(separator: ", ")).")

        @OptionGroup var state: StateOptions

        @Argument(help: "The simulated host.")
        var host: String

        @Argument(help: "The operation kind.")
        var operation: String

        @Option(help: "How many operations fail.")
        var times: Int = 1

        @Option(help: "The error message they fail with (default: simulated failure of OPERATION).")
        var message: String?

        func run() async throws {
            try await guarded {
                guard HostOperation.allKinds.contains(operation) else {
                    throw UserFacingError(
                        "unknown operation '\(operation)'; one of: \(HostOperation.allKinds.joined(separator: ", "))")
                }
                guard times >= 1 else { throw UserFacingError("--times must be at least 1, not \(times)") }
                let driver = SimDriver(stateDirectory: URL(fileURLWithPath: state.path), host: host)
                try driver.fail(operation, times: times, message: message)
                Console.out("\(host): the next \(times == 1 ? "" : "\(times) ")\(operation) operation\(times == 1 ? "" : "s") will fail.")
            }
        }
    }

    /// `sim show HOST`: the host's file, or what `observe()` returns.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a simulated host as JSON.")

        @OptionGroup var state: StateOptions

        @Argument(help: "The simulated host.")
        var host: String

        @Flag(help: "Print the observed state (what plan and status read) instead of the simulator's file.")
        var observed = false

        func run() async throws {
            try await guarded {
                let driver = SimDriver(stateDirectory: URL(fileURLWithPath: state.path), host: host)
                let data: Data
                if observed {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    data = try encoder.encode(try await driver.observe())
                } else {
                    data = try driver.file().encoded()
                }
                Console.out(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines))
            }
        }
    }
}
