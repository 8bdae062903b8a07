import FoundationEssentials
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a line reader sees: a line (without its newline), a line that was too long
/// (dropped unread beyond the limit), or the end of input, which may cut a line short.
public enum LineEvent: Sendable, Equatable {
    case line(Data)
    case oversized(bytes: Int)
    /// The input ended after `bytes` bytes of a line with no newline.
    case truncated(bytes: Int)
}

/// Reads newline-terminated lines from a file descriptor on a thread of its own, so a
/// blocking `read` never holds up the concurrency pool. A line longer than `limit` is
/// never kept in memory: it is counted and reported as oversized when its newline comes.
public final class LineReader: Sendable {
    public let events: AsyncStream<LineEvent>

    /// Starts reading `fd` at once; the stream ends at end of input or on a read error.
    /// With `closing`, the reader owns `fd` and closes it then. With `stopAtOversize`, a
    /// line is reported as oversized as soon as it passes `limit`, and reading stops
    /// there: a peer that sends an endless line is not read to its end (the client gives
    /// up on such a peer; the agent instead skips the line and reads on).
    public init(fd: Int32, limit: Int, closing: Bool = false, stopAtOversize: Bool = false) {
        let (stream, continuation) = AsyncStream<LineEvent>.makeStream(bufferingPolicy: .unbounded)
        events = stream
        DetachedThread.start {
            Self.readLoop(fd: fd, limit: limit, stopAtOversize: stopAtOversize) { continuation.yield($0) }
            if closing {
                #if canImport(Glibc)
                    _ = Glibc.close(fd)
                #else
                    _ = Darwin.close(fd)
                #endif
            }
            continuation.finish()
        }
    }

    private static func readLoop(fd: Int32, limit: Int, stopAtOversize: Bool, emit: (LineEvent) -> Void) {
        var current = Data()
        var overflow = 0
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            var start = 0
            for i in 0..<n where buffer[i] == 0x0A {
                append(buffer[start..<i], to: &current, overflow: &overflow, limit: limit)
                if overflow > 0 {
                    emit(.oversized(bytes: overflow))
                    if stopAtOversize { return }
                } else {
                    if current.last == 0x0D { current.removeLast() }
                    emit(.line(current))
                }
                current = Data()
                overflow = 0
                start = i + 1
            }
            append(buffer[start..<n], to: &current, overflow: &overflow, limit: limit)
            if stopAtOversize && overflow > 0 {
                emit(.oversized(bytes: overflow))
                return
            }
        }
        if overflow > 0 || !current.isEmpty { emit(.truncated(bytes: overflow > 0 ? overflow : current.count)) }
    }

    private static func append(_ bytes: ArraySlice<UInt8>, to current: inout Data, overflow: inout Int, limit: Int) {
        if overflow > 0 {
            overflow += bytes.count
        } else if current.count + bytes.count > limit {
            overflow = current.count + bytes.count
            current = Data()
        } else {
            current.append(contentsOf: bytes)
        }
    }
}

/// Writes whole lines to a file descriptor, one writer at a time, so that a progress
/// event never lands in the middle of an answer. Once the other end is gone, writes are
/// dropped: the peer can no longer read them (a write to it fails with EPIPE, SIGPIPE
/// being suppressed around it: `Sigpipe`).
public final class LineWriter: @unchecked Sendable {
    private let fd: Int32
    private let lock = Lock()
    private var broken = false
    private var closed = false

    public init(fd: Int32) { self.fd = fd }

    /// Writes `data` in full; false when the other end has gone away.
    @discardableResult
    public func write(_ data: Data) -> Bool {
        lock.withLock {
            if broken { return false }
            let ok = Sigpipe.suppressed { writeFully(fd, data) }
            if !ok { broken = true }
            return ok
        }
    }

    public var isBroken: Bool { lock.withLock { broken } }

    /// Closes the descriptor: the reader on the other end sees end of input.
    public func close() {
        lock.withLock {
            if !closed {
                closed = true
                broken = true
                #if canImport(Glibc)
                    _ = Glibc.close(fd)
                #else
                    _ = Darwin.close(fd)
                #endif
            }
        }
    }
}
