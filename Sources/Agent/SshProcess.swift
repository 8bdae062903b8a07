import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One running `ssh`: its stdin and stdout carry the protocol, its stderr is collected
/// (the last 64 KiB) to explain a failure.
final class SshProcess: @unchecked Sendable {
    private let child: ChildProcess
    let reader: LineReader
    let writer: LineWriter
    private let lock = NSLock()
    private var stderrData = Data()
    private let stderrDone = DispatchSemaphore(value: 0)

    /// Longest line accepted from an agent: a host state with thousands of domains.
    static let maxAnswerBytes = 256 << 20

    init(executable: URL, arguments: [String]) throws {
        child = try ChildProcess(executable: executable.path, arguments: arguments)
        reader = LineReader(fd: child.stdoutFD, limit: Self.maxAnswerBytes, closing: true)
        writer = LineWriter(fd: child.stdinFD)
        let fd = child.stderrFD
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                lock.withLock {
                    stderrData.append(contentsOf: buffer[0..<n])
                    if stderrData.count > 65_536 { stderrData = stderrData.suffix(65_536) }
                }
            }
            #if canImport(Glibc)
            _ = Glibc.close(fd)
            #else
            _ = Darwin.close(fd)
            #endif
            stderrDone.signal()
        }
        thread.start()
    }

    var pid: Int32 { child.pid }

    /// Waits up to `timeout` for ssh to exit and its stderr to end; returns the exit
    /// status (nil if it was still running, in which case it is terminated) and stderr.
    func finish(timeout: Duration = .seconds(5)) async -> (status: Int32?, stderr: String) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var status = child.poll()
        while status == nil && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
            status = child.poll()
        }
        if status == nil { child.terminate() }
        _ = stderrDone.wait(timeout: .now() + 1)
        let text = lock.withLock { String(decoding: stderrData, as: UTF8.self) }
        return (status, text)
    }

    /// Ends the session: the agent sees the end of its input and exits, then ssh does.
    func close() {
        writer.close()
    }
}
