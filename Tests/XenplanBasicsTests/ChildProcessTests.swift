import Foundation
import Testing

@testable import XenplanBasics

/// What a child inherits from xenplan, read by the child itself from /proc.
@Suite struct ChildProcessTests {
    /// Starts `argv` on a thread of its own (never the cooperative pool), after `prepare`
    /// has run there, and returns its stdout and status.
    static func output(_ argv: [String], prepare: @escaping @Sendable () -> Void = {}) async throws -> (stdout: String, status: Int32) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                prepare()
                let child: ChildProcess
                do { child = try ChildProcess(argv, searchPath: true) } catch { return continuation.resume(throwing: error) }
                close(child.stdinFD)
                var data = [UInt8](), buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(child.stdoutFD, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    data += buffer[0..<n]
                }
                close(child.stdoutFD)
                close(child.stderrFD)
                let status = child.waitForExit() ?? -1
                continuation.resume(returning: (String(decoding: data, as: UTF8.self), status))
            }
        }
    }

    /// No signal blocked, none ignored (but glibc's own two, 32 and 33, which posix_spawn
    /// leaves so), though the spawning thread blocks some and the process ignores others.
    @Test func theChildStartsWithACleanSignalState() async throws {
        var ignore = sigaction(), usr1 = sigaction(), usr2 = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        sigaction(SIGUSR1, &ignore, &usr1)
        sigaction(SIGUSR2, &ignore, &usr2)
        defer { sigaction(SIGUSR1, &usr1, nil); sigaction(SIGUSR2, &usr2, nil) }
        let (mask, status) = try await Self.output(["grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"]) {
            var blocked = sigset_t()
            sigemptyset(&blocked)
            for signalNumber in [SIGCHLD, SIGTERM, SIGINT, SIGPIPE] { sigaddset(&blocked, signalNumber) }
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
        }
        #expect(status == 0)
        #expect(mask == "SigBlk:\t0000000000000000\nSigIgn:\t0000000180000000\n")
    }

    /// The child leads a session of its own, so its own process group.
    @Test func theChildLeadsItsOwnSession() async throws {
        let (stat, _) = try await Self.output(["cat", "/proc/self/stat"])
        // pid (comm) state ppid pgrp session …
        let pid = try #require(stat.split(separator: " ").first)
        let fields = try #require(stat.split(separator: ")").last).split(separator: " ")
        #expect(fields.count > 3 && fields[2] == pid && fields[3] == pid, "\(stat)")
    }

    /// Another child's pipes do not reach a child started beside it.
    @Test func aChildDoesNotInheritAnotherChildsPipes() async throws {
        // Long enough to outlive this test however long a loaded machine keeps it waiting.
        let other = try ChildProcess(["sleep", "600"], searchPath: true)
        let ends = [other.stdinFD, other.stdoutFD, other.stderrFD]
        let targets = try ends.map { try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)") }
        let (listing, _) = try await Self.output(["ls", "-l", "/proc/self/fd"])
        other.kill()
        for end in ends { close(end) }
        let t0 = ContinuousClock.now
        let st = await Self.reaped(other)
        #expect(st == 128 + SIGKILL, "status \(String(describing: st)) after \(ContinuousClock.now - t0)")
        for target in targets {
            #expect(!listing.contains(target), "\(target) of another child reached this one:\n\(listing)")
        }
    }

    @Test func exitCodesAreAShellsOnes() async throws {
        #expect(try await Self.output(["sh", "-c", "exit 3"]).status == 3)
        #expect(try await Self.output(["sh", "-c", "kill -TERM $$"]).status == 128 + SIGTERM)
    }

    @Test func aMissingProgramNamesItsErrno() {
        #expect(throws: SpawnError(program: "/no/such/program", code: ENOENT)) {
            try ChildProcess(["/no/such/program"], searchPath: false)
        }
    }

    /// The child's status, waited for on a thread of its own.
    static func reaped(_ child: ChildProcess) async -> Int32? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: child.waitForExit(until: .now + .seconds(10))) }
        }
    }
}
