import Foundation
import XenplanBasics
import XenplanTestSupport

@testable import XenDriver

/// The tools the driver runs on files, played without running them: every argument
/// vector goes to `recorder` (which answers it, canned or with success), and a success of
/// `cp`, `qemu-img convert`, `zstd` or `genisoimage` then leaves the file the tool would have
/// written, so that what the driver does with it afterwards is real. A program listed in
/// `missing` is not installed: its spawn fails with ENOENT, as posix_spawnp's does.
final class FakeTools: CommandRunner, @unchecked Sendable {
    let recorder: RecordingCommandRunner
    private let lock = NSLock()
    private var absent: Set<String> = []

    init(recorder: RecordingCommandRunner) { self.recorder = recorder }

    func uninstall(_ program: String) { lock.withLock { _ = absent.insert(program) } }

    func run(_ argv: [String], stdin: String?, timeout: Duration) async throws -> CommandResult {
        let result = try await recorder.run(argv, stdin: stdin, timeout: timeout)
        if lock.withLock({ absent.contains(argv[0]) }) {
            throw SpawnError(program: argv[0], code: ENOENT)
        }
        guard result.status == 0, let output = Self.output(argv) else { return result }
        try Self.content(argv).write(to: URL(fileURLWithPath: output))
        return result
    }

    func run(_ argv: [String], stdinFile: String, timeout: Duration) async throws -> CommandResult {
        if lock.withLock({ absent.contains(argv[0]) }) { throw SpawnError(program: argv[0], code: ENOENT) }
        return try await recorder.run(argv, stdinFile: stdinFile, timeout: timeout)
    }

    /// The file a file-writing tool writes; nil for the others, and for block devices.
    static func output(_ argv: [String]) -> String? {
        switch argv.first {
        case "cp", "qemu-img":
            return argv.last.flatMap { $0.hasPrefix("/dev/") ? nil : $0 }
        case "genisoimage":
            return argv.firstIndex(of: "-output").map { argv[$0 + 1] }
        case "zstd":
            return argv.firstIndex(of: "-o").map { argv[$0 + 1] }.flatMap { $0.hasPrefix("/dev/") ? nil : $0 }
        default:
            return nil
        }
    }

    /// What the fake writes: a copy of the image for `cp` (a marker when it reads a device),
    /// the input behind a marker line for `zstd`, a marker for `qemu-img`, and
    /// for `genisoimage` each grafted file under its name, so a test sees what went in.
    static func content(_ argv: [String]) throws -> Data {
        switch argv[0] {
        case "cp":
            let source = argv[argv.count - 2]
            if source.hasPrefix("/dev/") { return Data("raw disk read from \(source)\n".utf8) }
            return try Data(contentsOf: URL(fileURLWithPath: source))
        case "zstd":
            let source = argv[argv.count - 3]
            if source.hasPrefix("/dev/") { return Data("zstd of \(source)\n".utf8) }
            return Data("zstd\n".utf8) + (try Data(contentsOf: URL(fileURLWithPath: source)))
        case "qemu-img":
            return Data("raw disk converted from \(argv[argv.count - 2])\n".utf8)
        default:
            var text = "cidata\n"
            for graft in argv where graft.contains("=") && !graft.hasPrefix("-") {
                let parts = graft.split(separator: "=", maxSplits: 1).map(String.init)
                text += "== \(parts[0])\n" + (try String(contentsOfFile: parts[1], encoding: .utf8))
            }
            return Data(text.utf8)
        }
    }
}
