import CXen
import FoundationEssentials
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure of libxenstore, with the path it concerned and errno's name.
public struct XenStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errno: Int32
    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }
    public var description: String {
        "xenstore \(operation) \(path): \(String(cString: strerror(errno)))"
    }
}

/// One connection to xenstored through libxenstore (`xs_open`): the socket named by
/// `XENSTORED_PATH`, else `/var/run/xenstored/socket`, else `/dev/xen/xenbus`.
///
/// `@unchecked Sendable`: libxenstore serialises requests on one handle with its own
/// mutex, but the handle pointer itself is closed in `deinit` only, and watch events are
/// taken under `lock`, which also guards `fired`.
public final class XenStore: @unchecked Sendable {
    private let handle: OpaquePointer
    private let lock = Lock()
    /// Tokens whose watch fired, not yet taken by their caller.
    private var fired: Set<String> = []

    /// A transaction id; `.none` reads outside any transaction.
    public struct Transaction: Hashable, Sendable {
        public var id: xs_transaction_t
        public static let none = Transaction(id: cxen_xbt_null)
    }

    /// Opens a connection; nil when no xenstored can be reached (not a dom0).
    public init(socketOnly: Bool = false) throws {
        errno = 0
        guard let h = xs_open(socketOnly ? UInt(XS_OPEN_SOCKETONLY) : 0) else {
            throw XenStoreError(operation: "open", path: Self.socketPath, errno: errno == 0 ? ENOENT : errno)
        }
        handle = h
    }

    deinit { xs_close(handle) }

    /// Where libxenstore looks for the daemon's socket first.
    public static var socketPath: String {
        if let env = ProcessInfo.processInfo.environment["XENSTORED_PATH"], !env.isEmpty { return env }
        return "/var/run/xenstored/socket"
    }

    /// The value at `path`, or nil when the node does not exist.
    public func read(_ path: String, in t: Transaction = .none) throws -> String? {
        var length: UInt32 = 0
        errno = 0
        guard let raw = xs_read(handle, t.id, path, &length) else {
            if errno == ENOENT { return nil }
            throw XenStoreError(operation: "read", path: path, errno: errno)
        }
        defer { free(raw) }
        let bytes = UnsafeRawBufferPointer(start: raw, count: Int(length))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The children of `path` (names only), or nil when the node does not exist.
    public func directory(_ path: String, in t: Transaction = .none) throws -> [String]? {
        var count: UInt32 = 0
        errno = 0
        guard let list = xs_directory(handle, t.id, path, &count) else {
            if errno == ENOENT { return nil }
            throw XenStoreError(operation: "directory", path: path, errno: errno)
        }
        // One allocation holds the array and the strings: one free.
        defer { free(list) }
        return (0..<Int(count)).compactMap { list[$0].map { String(cString: $0) } }
    }

    public func write(_ path: String, _ value: String, in t: Transaction = .none) throws {
        let ok = value.withCString { xs_write(handle, t.id, path, $0, UInt32(strlen($0))) }
        if !ok { throw XenStoreError(operation: "write", path: path, errno: errno) }
    }

    public func mkdir(_ path: String, in t: Transaction = .none) throws {
        if !xs_mkdir(handle, t.id, path) { throw XenStoreError(operation: "mkdir", path: path, errno: errno) }
    }

    public func remove(_ path: String, in t: Transaction = .none) throws {
        if !xs_rm(handle, t.id, path) { throw XenStoreError(operation: "rm", path: path, errno: errno) }
    }

    public func domainPath(_ domid: UInt32) throws -> String {
        guard let raw = xs_get_domain_path(handle, domid) else {
            throw XenStoreError(operation: "get-domain-path", path: "\(domid)", errno: errno)
        }
        defer { free(raw) }
        return String(cString: raw)
    }

    /// Runs `body` inside one transaction, so that everything it reads is one consistent
    /// snapshot; retries when xenstored reports a conflict (EAGAIN), as libxl does.
    public func withTransaction<T>(
        readOnly: Bool = true, attempts: Int = 8,
        _ body: (Transaction) throws -> T
    ) throws -> T {
        for _ in 0..<attempts {
            let id = xs_transaction_start(handle)
            if id == 0 { throw XenStoreError(operation: "transaction-start", path: "/", errno: errno) }
            let t = Transaction(id: id)
            let result: T
            do {
                result = try body(t)
            } catch {
                _ = xs_transaction_end(handle, id, true)
                throw error
            }
            // A read-only pass aborts: nothing to commit, and no conflict to report.
            if xs_transaction_end(handle, id, readOnly) { return result }
            if readOnly { return result }
            if errno != EAGAIN { throw XenStoreError(operation: "transaction-end", path: "/", errno: errno) }
        }
        throw XenStoreError(operation: "transaction-end", path: "/", errno: EAGAIN)
    }

    // MARK: Watches

    public func watch(_ path: String, token: String) throws {
        if !xs_watch(handle, path, token) { throw XenStoreError(operation: "watch", path: path, errno: errno) }
    }

    public func unwatch(_ path: String, token: String) {
        _ = xs_unwatch(handle, path, token)
        _ = lock.withLock { fired.remove(token) }
    }

    /// True when a watch with `token` has fired since the last call that returned true
    /// for it (xenstored also fires a watch once when it is set). Never blocks: it takes
    /// what xenstored has sent (`xs_check_watch` does not wait), and keeps other tokens'
    /// events for their own callers, so several waits on one handle (two shutdowns at
    /// once) each see theirs.
    public func takeWatchEvent(token: String) throws -> Bool {
        try lock.withLock {
            while true {
                errno = 0
                guard let event = xs_check_watch(handle) else {
                    if errno == EAGAIN || errno == 0 { break }
                    throw XenStoreError(operation: "check-watch", path: "watch", errno: errno)
                }
                defer { free(event) }
                if let t = event[Int(XS_WATCH_TOKEN.rawValue)] { fired.insert(String(cString: t)) }
            }
            return fired.remove(token) != nil
        }
    }
}
