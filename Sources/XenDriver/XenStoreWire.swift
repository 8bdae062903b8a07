import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// A failure of the wire exchange itself (not an error xenstored answered): the
/// connection closed, a reply that does not fit the protocol, a daemon that stopped
/// answering. `path` is the request it concerned.
public struct XenStoreWireError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "xenstore \(path): \(message)" }
}

/// A xenstored connection speaking the wire protocol of `xen/io/xs_wire.h` directly on
/// the daemon's Unix socket, used only for the observation snapshot.
///
/// Why: libxenstore allows one request in flight per handle, so a snapshot of N nodes
/// costs N round trips (3–5 ms each on a loaded dom0). The protocol itself lets a client
/// send several requests (distinct `req_id`) before reading the replies; xenstored
/// handles a connection's requests in order and answers each in order. `batch` sends up
/// to `batchLimit` requests at once and reads their replies, so a batch costs one round
/// trip.
///
/// Not `Sendable`: one snapshot owns one connection, on one thread.
public final class XenStoreWire {
    /// The message types this client sends or accepts.
    public enum MessageType: UInt32, Sendable {
        case directory = 1, read = 2, transactionStart = 6, transactionEnd = 7, watchEvent = 15, error = 16
        case directoryPart = 22
    }

    /// One request: its type, transaction and payload; `path` names it in errors.
    public struct Request: Hashable, Sendable {
        public var type: MessageType
        public var tx: UInt32
        public var path: String
        public var payload: [UInt8]

        public static func read(_ path: String, in tx: UInt32) -> Request {
            Request(type: .read, tx: tx, path: path, payload: Array(path.utf8) + [0])
        }
        public static func directory(_ path: String, in tx: UInt32) -> Request {
            Request(type: .directory, tx: tx, path: path, payload: Array(path.utf8) + [0])
        }
        /// `path`'s children from byte `offset` of its list (each name and its NUL).
        public static func directoryPart(_ path: String, offset: Int, in tx: UInt32) -> Request {
            Request(type: .directoryPart, tx: tx, path: path, payload: Array(path.utf8) + [0] + Array(String(offset).utf8) + [0])
        }
        public static let transactionStart = Request(type: .transactionStart, tx: 0, path: "/", payload: [0])
        /// `F`: abort (a read-only transaction has nothing to commit).
        public static func transactionEnd(_ tx: UInt32, commit: Bool = false) -> Request {
            Request(type: .transactionEnd, tx: tx, path: "/", payload: [commit ? UInt8(ascii: "T") : UInt8(ascii: "F"), 0])
        }

        var operation: String {
            switch type {
            case .read: "read"
            case .directory: "directory"
            case .directoryPart: "directory-part"
            case .transactionStart: "transaction-start"
            case .transactionEnd: "transaction-end"
            case .watchEvent: "watch-event"
            case .error: "error"
            }
        }
    }

    /// A reply: the payload, or the errno name xenstored answered (`ENOENT`).
    public enum Reply: Hashable, Sendable {
        case payload([UInt8])
        case error(String)
    }

    /// `XENSTORE_PAYLOAD_MAX`.
    public static let payloadLimit = 4096
    /// Requests sent before reading replies: few enough to stay far within xenstored's
    /// per-connection quotas.
    public static let batchLimit = 64
    static let headerSize = 16

    /// The daemon's socket: `XENSTORED_PATH` when set and non-empty, else
    /// `/var/run/xenstored/socket` (libxenstore's rule).
    public static var socketPath: String { XenStore.socketPath }

    /// True when `path` is a Unix socket: a dom0 whose xenstored is reached through
    /// `/dev/xen/xenbus` has none, and libxenstore serves the snapshot there.
    public static func socketExists(at path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFSOCK
    }

    let path: String
    private let fd: Int32
    private let timeoutMilliseconds: Int
    private var nextRequestID: UInt32 = 1
    /// Bytes received and not yet taken as messages.
    private var inbox: [UInt8] = []
    /// Set by a failed exchange: the stream's position is unknown, nothing more is sent.
    private var broken = false
    /// The size of each batch sent: one round trip each (tests check the grouping).
    public private(set) var batchSizes: [Int] = []

    /// Connects to xenstored at `path`; `timeout` bounds every exchange (and the
    /// connect), so a wedged daemon cannot hang observation.
    public init(path: String = XenStoreWire.socketPath, timeout: Duration = .seconds(10)) throws {
        self.path = path
        let (seconds, attoseconds) = timeout.components
        timeoutMilliseconds = max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw XenStoreError(operation: "socket", path: path, errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw XenStoreError(operation: "connect", path: path, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buf in for (i, b) in bytes.enumerated() { buf[i] = b } }
        // A blocking connect waits while the daemon's backlog is full, up to the send timeout.
        var limit = timeval(tv_sec: Int(timeoutMilliseconds / 1000), tv_usec: Int(timeoutMilliseconds % 1000) * 1000)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var connected: Int32
        repeat {
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        } while connected != 0 && errno == EINTR
        guard connected == 0 else {
            let e = errno
            close(fd)
            throw XenStoreError(operation: "connect", path: path, errno: e)
        }
        // Non-blocking from here on: `exchange` waits in poll, with its deadline.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        self.fd = fd
    }

    deinit { close(fd) }

    // MARK: Requests

    /// Sends `requests` in batches of at most `batchLimit`, each in one write, and
    /// returns their replies in order. An error xenstored answers is a `.error` reply;
    /// a failure of the exchange itself throws.
    public func batch(_ requests: [Request]) throws -> [Reply] {
        var replies: [Reply] = []
        replies.reserveCapacity(requests.count)
        var start = 0
        while start < requests.count {
            let end = min(start + Self.batchLimit, requests.count)
            replies += try exchange(requests[start..<end])
            start = end
        }
        return replies
    }

    /// Starts a transaction; its id.
    public func transactionStart() throws -> UInt32 {
        let request = Request.transactionStart
        let reply = try batch([request])[0]
        let bytes = try Self.payload(of: reply, for: request)
        guard let id = UInt32(String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)), id != 0 else {
            throw XenStoreWireError(path: request.path, message: "transaction-start answered \(Self.quoted(bytes))")
        }
        return id
    }

    /// Ends transaction `tx`, aborting it unless `commit`.
    public func transactionEnd(_ tx: UInt32, commit: Bool = false) throws {
        let request = Request.transactionEnd(tx, commit: commit)
        _ = try Self.payload(of: try batch([request])[0], for: request)
    }

    /// A read's value; nil when the node does not exist (ENOENT).
    public static func value(of reply: Reply, for request: Request) throws -> String? {
        guard let bytes = try payloadUnlessAbsent(reply, for: request) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A directory's children (names, each NUL-terminated on the wire); nil when the
    /// node does not exist.
    public static func names(of reply: Reply, for request: Request) throws -> [String]? {
        guard let bytes = try payloadUnlessAbsent(reply, for: request) else { return nil }
        // As libxenstore: every NUL ends a name; bytes after the last NUL are no name.
        var names: [String] = []
        var begin = 0
        for (i, b) in bytes.enumerated() where b == 0 {
            names.append(String(decoding: bytes[begin..<i], as: UTF8.self))
            begin = i + 1
        }
        return names
    }

    /// The children a directory request's reply names; when there are too many for one
    /// reply (xenstored answers `E2BIG` past 4 KiB: about 2,000 domains under
    /// `/local/domain`), they are read page by page (`pagedNames`).
    public func names(of reply: Reply, for request: Request) throws -> [String]? {
        if request.type == .directory, case .error("E2BIG") = reply { return try pagedNames(request.path, in: request.tx) }
        return try Self.names(of: reply, for: request)
    }

    /// Pages a directory's children with DIRECTORY_PART, one round trip each. A page is
    /// the node's generation, then whole names from the byte offset asked (each
    /// NUL-terminated); the last page ends with an empty name too (a second NUL), and an
    /// offset past the end gets only that. Pages of different generations mean the
    /// directory changed meanwhile: the listing starts again (at most `pagingRestarts`
    /// times, then an error rather than a list that never was).
    public func pagedNames(_ path: String, in tx: UInt32) throws -> [String]? {
        var restarts = 0
        listing: while true {
            var names: [String] = []
            var offset = 0
            var generation: [UInt8]?
            while true {
                let request = Request.directoryPart(path, offset: offset, in: tx)
                guard let bytes = try Self.payloadUnlessAbsent(try batch([request])[0], for: request) else { return nil }
                guard let end = bytes.firstIndex(of: 0), bytes.last == 0 else {
                    throw XenStoreWireError(path: path, message: "directory-part answered \(Self.quoted(bytes))")
                }
                var page = bytes[(end + 1)...]
                if let generation, generation != Array(bytes[..<end]) {
                    restarts += 1
                    guard restarts <= Self.pagingRestarts else {
                        throw XenStoreWireError(path: path, message: "changed \(restarts) times while its children were read")
                    }
                    continue listing
                }
                generation = Array(bytes[..<end])
                let last = page.count == 1 || page.suffix(2) == [0, 0]
                if last { page = page.dropLast() }
                var begin = page.startIndex
                for i in page.indices where page[i] == 0 {
                    names.append(String(decoding: page[begin..<i], as: UTF8.self))
                    begin = i + 1
                }
                if last { return names }
                guard !page.isEmpty else {
                    throw XenStoreWireError(path: path, message: "directory-part answered a page without a name at offset \(offset)")
                }
                offset += page.count
                guard names.count <= Self.maxChildren else {
                    throw XenStoreWireError(path: path, message: "has more than \(Self.maxChildren) children")
                }
            }
        }
    }

    /// Listings restarted because the directory changed while it was paged.
    static let pagingRestarts = 8
    /// Children read from one directory: far above the domains a host can run.
    static let maxChildren = 100_000

    static func payloadUnlessAbsent(_ reply: Reply, for request: Request) throws -> [UInt8]? {
        if case .error("ENOENT") = reply { return nil }
        return try payload(of: reply, for: request)
    }

    /// The payload, or the error xenstored answered as a `XenStoreError` naming the path
    /// (the same value libxenstore's errno gives the other path).
    static func payload(of reply: Reply, for request: Request) throws -> [UInt8] {
        switch reply {
        case .payload(let bytes): return bytes
        case .error(let name):
            guard let number = errnoNames[name] else {
                throw XenStoreWireError(path: request.path, message: "\(request.operation) answered \(name)")
            }
            throw XenStoreError(operation: request.operation, path: request.path, errno: number)
        }
    }

    /// `xsd_errors` of `xs_wire.h`.
    static let errnoNames: [String: Int32] = [
        "EINVAL": EINVAL, "EACCES": EACCES, "EEXIST": EEXIST, "EISDIR": EISDIR, "ENOENT": ENOENT,
        "ENOMEM": ENOMEM, "ENOSPC": ENOSPC, "EIO": EIO, "ENOTEMPTY": ENOTEMPTY, "ENOSYS": ENOSYS,
        "EROFS": EROFS, "EBUSY": EBUSY, "EAGAIN": EAGAIN, "EISCONN": EISCONN, "E2BIG": E2BIG, "EPERM": EPERM,
    ]

    static func quoted(_ bytes: [UInt8]) -> String {
        "\"" + String(decoding: bytes.prefix(64), as: UTF8.self).replacing("\0", with: "\\0") + "\""
    }

    // MARK: The exchange

    /// One round trip: every request of `requests` written (interleaved with reading, so
    /// neither side can block the other on a full socket buffer), then every reply read,
    /// matched by `req_id`, in order.
    private func exchange(_ requests: ArraySlice<Request>) throws -> [Reply] {
        let list = Array(requests)
        guard !broken else {
            throw XenStoreWireError(path: list[0].path, message: "the connection to xenstored failed earlier")
        }
        // Any failure leaves the stream at an unknown position.
        broken = true
        var out: [UInt8] = []
        var ids: [UInt32] = []
        for request in list {
            guard request.payload.count <= Self.payloadLimit else {
                throw XenStoreWireError(path: request.path, message: "request of \(request.payload.count) bytes exceeds \(Self.payloadLimit)")
            }
            let id = nextRequestID
            nextRequestID = nextRequestID == UInt32.max ? 1 : nextRequestID + 1
            ids.append(id)
            for field in [request.type.rawValue, id, request.tx, UInt32(request.payload.count)] {
                withUnsafeBytes(of: field.littleEndian) { out += $0 }
            }
            out += request.payload
        }
        batchSizes.append(list.count)

        let deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
        var written = 0
        var replies: [Reply] = []
        replies.reserveCapacity(list.count)
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            while replies.count < list.count, let message = try takeMessage(expecting: list[replies.count]) {
                let request = list[replies.count]
                // Watch events come unasked (none on this connection, which sets no watch).
                if message.type == MessageType.watchEvent.rawValue { continue }
                guard message.reqID == ids[replies.count] else {
                    throw XenStoreWireError(path: request.path, message: "reply req_id \(message.reqID), expected \(ids[replies.count])")
                }
                if message.type == MessageType.error.rawValue {
                    replies.append(.error(String(decoding: message.payload.prefix { $0 != 0 }, as: UTF8.self)))
                } else if message.type == request.type.rawValue {
                    replies.append(.payload(message.payload))
                } else {
                    throw XenStoreWireError(path: request.path, message: "reply of type \(message.type) to a \(request.operation)")
                }
            }
            if replies.count == list.count { break }
            let pending = list[replies.count]
            let remaining = Int((deadline - ContinuousClock.now) / .milliseconds(1))
            guard remaining > 0 else { throw timedOut(pending, replies.count, list.count) }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN) | (written < out.count ? Int16(POLLOUT) : 0), revents: 0)
            let ready = poll(&pfd, 1, Int32(min(remaining, Int(Int32.max))))
            if ready < 0 {
                if errno == EINTR { continue }
                throw XenStoreError(operation: "poll", path: pending.path, errno: errno)
            }
            if ready == 0 { throw timedOut(pending, replies.count, list.count) }
            if written < out.count && pfd.revents & Int16(POLLOUT) != 0 {
                let n = out.withUnsafeBytes { send(fd, $0.baseAddress! + written, out.count - written, Int32(MSG_NOSIGNAL)) }
                if n > 0 {
                    written += n
                } else if errno == EPIPE || errno == ECONNRESET {
                    throw closed(pending, replies.count, list.count)
                } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                    throw XenStoreError(operation: "send", path: pending.path, errno: errno)
                }
            }
            if pfd.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
                if n > 0 {
                    inbox += chunk[0..<n]
                } else if n == 0 || errno == ECONNRESET {
                    throw closed(pending, replies.count, list.count)
                } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                    throw XenStoreError(operation: "recv", path: pending.path, errno: errno)
                }
            }
        }
        broken = false
        return replies
    }

    /// The next whole message in `inbox`, nil while it is incomplete. A header announcing
    /// more than `payloadLimit` or a type this client does not know is an error at once.
    private func takeMessage(expecting request: Request) throws -> (type: UInt32, reqID: UInt32, payload: [UInt8])? {
        guard inbox.count >= Self.headerSize else { return nil }
        let fields = (0..<4).map { (i: Int) -> UInt32 in
            var field: UInt32 = 0
            for k in (0..<4).reversed() { field = field << 8 | UInt32(inbox[i * 4 + k]) }
            return field
        }
        let (type, reqID, length) = (fields[0], fields[1], Int(fields[3]))
        guard MessageType(rawValue: type) != nil else {
            throw XenStoreWireError(path: request.path, message: "reply of unknown type \(type)")
        }
        guard length <= Self.payloadLimit else {
            throw XenStoreWireError(path: request.path, message: "reply of \(length) bytes exceeds \(Self.payloadLimit)")
        }
        guard inbox.count >= Self.headerSize + length else { return nil }
        let payload = Array(inbox[Self.headerSize..<Self.headerSize + length])
        inbox.removeFirst(Self.headerSize + length)
        return (type, reqID, payload)
    }

    private func closed(_ request: Request, _ received: Int, _ count: Int) -> XenStoreWireError {
        let partial = inbox.isEmpty ? "" : " in the middle of a reply"
        return XenStoreWireError(
            path: request.path,
            message: "xenstored closed the connection\(partial) after \(received) of \(count) replies")
    }

    private func timedOut(_ request: Request, _ received: Int, _ count: Int) -> XenStoreWireError {
        XenStoreWireError(
            path: request.path,
            message: "xenstored did not answer within \(timeoutMilliseconds) ms (\(received) of \(count) replies)")
    }
}
