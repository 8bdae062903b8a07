import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One running `ssh`: its stdin and stdout carry the protocol, its stderr is collected
/// (the last 64 KiB) to explain a failure.
final class SshProcess: @unchecked Sendable {
    let process = Process()
    let reader: LineReader
    let writer: LineWriter
    private let input = Pipe(), output = Pipe(), errors = Pipe()
    private let lock = NSLock()
    private var stderrData = Data()
    private let stderrDone = DispatchSemaphore(value: 0)

    /// Longest line accepted from an agent: a host state with thousands of domains.
    static let maxAnswerBytes = 256 << 20

    /// Writing to an ssh that has exited must fail with EPIPE, not end this process.
    private static let ignoreSigpipe: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    init(executable: URL, arguments: [String]) throws {
        _ = Self.ignoreSigpipe
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // The reader and writer own duplicates, so that no FileHandle closes a descriptor
        // under them (or one that has been reused).
        reader = LineReader(fd: dup(output.fileHandleForReading.fileDescriptor), limit: Self.maxAnswerBytes, closing: true)
        writer = LineWriter(fd: dup(input.fileHandleForWriting.fileDescriptor))
        try? output.fileHandleForReading.close()
        try? input.fileHandleForWriting.close()
        let handle = errors.fileHandleForReading
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock {
                    stderrData.append(chunk)
                    if stderrData.count > 65_536 { stderrData = stderrData.suffix(65_536) }
                }
            }
            stderrDone.signal()
        }
        thread.start()
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits up to `timeout` for ssh to exit and its stderr to end; returns the exit
    /// status (nil if it is still running, in which case it is terminated) and stderr.
    func finish(timeout: Duration = .seconds(5)) async -> (status: Int32?, stderr: String) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        var status: Int32?
        if process.isRunning {
            process.terminate()
        } else {
            status = process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
        }
        _ = stderrDone.wait(timeout: .now() + 1)
        let text = lock.withLock { String(decoding: stderrData, as: UTF8.self) }
        return (status, text)
    }

    /// Ends the session: the agent sees the end of its input and exits, then ssh does.
    func close() {
        writer.close()
    }
}
