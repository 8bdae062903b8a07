import Dispatch
import FoundationEssentials
import Synchronization
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One running `ssh`: its stdin and stdout carry the protocol, its stderr is collected
/// (the last 64 KiB) to explain a failure. It lives as long as the session; no single
/// deadline bounds it, each request has its own (`AgentLimits`), and a missed one stops
/// it (`stop`, then `finish`).
final class SshProcess: @unchecked Sendable {
    private let child: ChildProcess
    let reader: LineReader
    let writer: LineWriter
    private let lock = Lock()
    private var stderrData = Data()
    private let stderrDone = DispatchSemaphore(value: 0)
    /// The first `finish`: every request of a session that ended gets its outcome, and
    /// only one of them waits for ssh.
    private let finishing = Mutex<Task<(status: Int32?, stderr: String), Never>?>(nil)

    /// - Parameter maxAnswerBytes: the longest answer line read; reading stops at a
    ///   longer one, so a peer cannot make this process hold more than that.
    ///   - echo: given each line of stderr as it comes (an agent's `--verbose` log, ssh's
    ///     own messages), escaped; lines are cut at 4 KiB.
    init(executable: URL, arguments: [String], maxAnswerBytes: Int, echo: (@Sendable (String) -> Void)? = nil) throws(SpawnError) {
        child = try ChildProcess([executable.path] + arguments, searchPath: false)
        reader = LineReader(fd: child.stdoutFD, limit: maxAnswerBytes, closing: true, stopAtOversize: true)
        writer = LineWriter(fd: child.stdinFD)
        let fd = child.stderrFD
        DetachedThread.start { [self] in
            var buffer = [UInt8](repeating: 0, count: 8192)
            var pending: [UInt8] = []
            func flush(_ bytes: ArraySlice<UInt8>) {
                echo?(TerminalText.escaped(String(decoding: bytes.prefix(4096), as: UTF8.self)))
            }
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                lock.withLock {
                    stderrData.append(contentsOf: buffer[0..<n])
                    if stderrData.count > 65_536 { stderrData = stderrData.suffix(65_536) }
                }
                if echo != nil {
                    pending += buffer[0..<n]
                    while let newline = pending.firstIndex(of: 0x0A) {
                        flush(pending[..<newline])
                        pending.removeSubrange(...newline)
                    }
                    if pending.count > 4096 {
                        flush(pending[...])
                        pending.removeAll()
                    }
                }
            }
            if !pending.isEmpty { flush(pending[...]) }
            #if canImport(Glibc)
                _ = Glibc.close(fd)
            #else
                _ = Darwin.close(fd)
            #endif
            stderrDone.signal()
        }
    }

    /// Waits up to `timeout` for ssh to exit and its stderr to end; returns the exit
    /// status (nil if it was still running, in which case it is killed) and stderr, with
    /// its control characters escaped: it also carries what the remote side printed.
    /// Requests that were waiting together when the session ended share one wait (the
    /// first caller's timeout).
    func finish(timeout: Duration = .seconds(5)) async -> (status: Int32?, stderr: String) {
        let task = finishing.withLock { running in
            if let running { return running }
            let task = Task { await self.collect(timeout: timeout) }
            running = task
            return task
        }
        return await task.value
    }

    private func collect(timeout: Duration) async -> (status: Int32?, stderr: String) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var status = child.poll()
        while status == nil && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
            status = child.poll()
        }
        if status == nil {
            child.kill()
            // Reaped here, so that no zombie is left behind; SIGKILL ends it (and what it
            // started, a ProxyCommand say) at once.
            let reapBy = clock.now + .seconds(1)
            while child.poll() == nil && clock.now < reapBy { try? await Task.sleep(for: .milliseconds(10)) }
        }
        _ = stderrDone.wait(timeout: .now() + 1)
        let text = lock.withLock { String(decoding: stderrData, as: UTF8.self) }
        return (status, TerminalText.escaped(text, multiline: true))
    }

    /// Stops ssh now (SIGTERM, to it and what it started), for a session this side has
    /// given up on; `finish` then collects it.
    func stop() {
        writer.close()
        child.terminate()
    }

    /// Ends the session: the agent sees the end of its input and exits, then ssh does.
    func close() {
        writer.close()
    }
}
