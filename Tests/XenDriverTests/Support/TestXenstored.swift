import Foundation
import Glibc

/// A xenstore daemon for tests: the wire protocol of `xen/io/xs_wire.h` (16-byte header
/// `type, req_id, tx_id, len`, then the payload) on a Unix socket, serving a tree held in
/// memory. The real libxenstore reaches it through `XENSTORED_PATH`, and so do the real
/// `xenstore-ls`/`xenstore-write` of Debian's xenstore-utils.
///
/// `@unchecked Sendable`: the tree, transactions and watches are guarded by `lock`;
/// each connection's socket writes by that connection's own lock.
final class TestXenstored: @unchecked Sendable {
    enum MessageType: UInt32 {
        case control = 0, directory, read, getPerms, watch, unwatch, transactionStart, transactionEnd,
            introduce, release, getDomainPath, write, mkdir, rm, setPerms, watchEvent, error,
            isDomainIntroduced, resume, setTarget, resetWatches = 21, directoryPart
    }

    let directory: URL
    let socketPath: String
    private let listenFD: Int32
    private let lock = NSLock()
    private var tree: XenstoreTree
    /// Committed-tree generation, to detect conflicting transactions (EAGAIN).
    private var generation = 0
    private var transactions: [UInt32: (tree: XenstoreTree, generation: Int)] = [:]
    private var nextTransaction: UInt32 = 1
    private var connections: [Connection] = []
    private var stopped = false
    /// Every request type received, for tests that check what a client sent.
    /// Every request: its type, transaction and first string (the path, for reads).
    private(set) var requestLog: [(type: UInt32, tx: UInt32, path: String)] = []

    final class Connection: @unchecked Sendable {
        let fd: Int32
        let writeLock = NSLock()
        var watches: [(path: String, token: String)] = []
        init(fd: Int32) { self.fd = fd }

        func send(type: UInt32, reqID: UInt32, txID: UInt32, payload: [UInt8]) {
            var message = [UInt8]()
            for field in [type, reqID, txID, UInt32(payload.count)] { withUnsafeBytes(of: field.littleEndian) { message += $0 } }
            message += payload
            writeLock.withLock {
                var offset = 0
                while offset < message.count {
                    let n = message.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, message.count - offset) }
                    if n <= 0 { if errno == EINTR { continue }; return }
                    offset += n
                }
            }
        }
    }

    init(tree: XenstoreTree) throws {
        self.tree = tree
        (directory, socketPath, listenFD) = try listenOnUnixSocket(prefix: "xs", backlog: 16)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Idempotent: a second close of the listening descriptor could close whatever
    /// another test opened under the same number since.
    func stop() {
        let wasStopped = lock.withLock { () -> Bool in
            defer { stopped = true }
            return stopped
        }
        if wasStopped { return }
        closeServer(listenFD: listenFD, connections: lock.withLock { connections.map(\.fd) }, directory: directory)
    }

    deinit { stop() }

    var snapshot: XenstoreTree { lock.withLock { tree } }

    /// Changes the tree as a toolstack would (outside any client), firing watches.
    func mutate(_ body: (inout XenstoreTree) -> Void, firing paths: [String]) {
        lock.withLock {
            body(&tree)
            generation += 1
        }
        for p in paths { fire(p) }
    }

    /// Fires `@releaseDomain`, as xenstored does when a domain is destroyed.
    func releaseDomain() { fire("@releaseDomain") }

    // MARK: Serving

    private func acceptLoop() {
        while true {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            let c = Connection(fd: fd)
            lock.withLock { connections.append(c) }
            Thread.detachNewThread { [self] in serve(c) }
        }
    }

    private func serve(_ c: Connection) {
        defer {
            // Out of the list first, so `stop` never shuts down a reused descriptor number.
            lock.withLock { connections.removeAll { $0 === c } }
            close(c.fd)
        }
        while let header = readFully(c.fd, 16) {
            let fields = (0..<4).map { i in header[i * 4..<i * 4 + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
            let (type, reqID, txID, length) = (fields[0], fields[1], fields[2], Int(fields[3]))
            guard length <= 4096, let payload = length == 0 ? [] : readFully(c.fd, length) else { return }
            let path = String(decoding: payload.prefix { $0 != 0 }, as: UTF8.self)
            lock.withLock { requestLog.append((type, txID, path)) }
            let (replyType, reply, fired) = handle(type: type, txID: txID, payload: payload, connection: c)
            c.send(type: replyType, reqID: reqID, txID: txID, payload: reply)
            // After the reply, as xenstored does: a watch registration gets its first event.
            for (path, token, target) in fired {
                target.send(type: MessageType.watchEvent.rawValue, reqID: 0, txID: 0, payload: Self.strings([path, token]))
            }
        }
    }

    static func strings(_ list: [String]) -> [UInt8] { list.flatMap { Array($0.utf8) + [0] } }

    /// A DIRECTORY_PART page, cut as xenstored cuts it: the generation, as many whole
    /// names from byte `offset` of the list as fit one payload with it, and after the
    /// list's last name an empty one (a second NUL).
    static func directoryPart(_ children: [UInt8], from offset: Int, generation: Int) -> [UInt8] {
        let header = Array(String(generation).utf8) + [0]
        guard offset < children.count else { return header + [0] }
        let room = 4096 - header.count - 1
        var end = offset
        while end < children.count, let nul = children[end...].firstIndex(of: 0), nul + 1 - offset <= room { end = nul + 1 }
        return header + children[offset..<end] + (end == children.count ? [0] : [])
    }
    static let ok = strings(["OK"])

    private func fields(_ payload: [UInt8]) -> [String] {
        payload.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Relative paths are relative to the connection's domain (dom0 for a socket).
    private func absolute(_ p: String) -> String {
        let path = p.hasPrefix("/") || p.hasPrefix("@") ? p : "/local/domain/0/" + p
        return path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    private typealias Fired = [(String, String, Connection)]

    private func handle(type: UInt32, txID: UInt32, payload: [UInt8], connection c: Connection) -> (UInt32, [UInt8], Fired) {
        let err: (String) -> (UInt32, [UInt8], Fired) = { (MessageType.error.rawValue, Self.strings([$0]), []) }
        guard let kind = MessageType(rawValue: type) else { return err("EINVAL") }
        let args = fields(payload)
        let path = absolute(args.first ?? "")
        return lock.withLock { () -> (UInt32, [UInt8], Fired) in
            if txID != 0 && transactions[txID] == nil && kind != .transactionStart { return err("ENOENT") }
            var view = txID == 0 ? tree : transactions[txID]!.tree
            var changed: [String] = []
            var reply = Self.ok
            switch kind {
            case .read:
                guard let v = view.read(path) else { return err("ENOENT") }
                reply = v
            case .directory:
                guard let list = view.children(path) else { return err("ENOENT") }
                // As xenstored: a list longer than one payload is refused; the client
                // pages it with DIRECTORY_PART.
                reply = Self.strings(list)
                if reply.count > 4096 { return err("E2BIG") }
            case .directoryPart:
                guard let list = view.children(path) else { return err("ENOENT") }
                guard args.count >= 2, let offset = Int(args[1]), offset >= 0 else { return err("EINVAL") }
                reply = Self.directoryPart(Self.strings(list), from: offset, generation: txID == 0 ? generation : transactions[txID]!.generation)
            case .getPerms:
                guard view.read(path) != nil else { return err("ENOENT") }
                reply = Self.strings(["n0"])
            case .write:
                // "path\0value": the value is the rest, not NUL-terminated.
                guard let nul = payload.firstIndex(of: 0) else { return err("EINVAL") }
                view.write(path, Array(payload[(nul + 1)...]))
                changed.append(path)
            case .mkdir:
                view.mkdir(path)
                changed.append(path)
            case .rm:
                if !view.remove(path) && view.read(XenstoreTree.parent(of: path)) == nil { return err("ENOENT") }
                changed.append(path)
            case .transactionStart:
                let id = nextTransaction
                nextTransaction += 1
                transactions[id] = (tree, generation)
                return (type, Self.strings([String(id)]), [])
            case .transactionEnd:
                guard let t = transactions.removeValue(forKey: txID) else { return err("ENOENT") }
                if args.first == "T" && t.tree != tree {
                    guard t.generation == generation else { return err("EAGAIN") }
                    tree = t.tree
                    generation += 1
                }
                return (type, Self.ok, [])
            case .watch:
                guard args.count >= 2 else { return err("EINVAL") }
                c.watches.append((path, args[1]))
                return (type, Self.ok, [(args[0], args[1], c)])
            case .unwatch:
                c.watches.removeAll { $0.path == path && $0.token == (args.count > 1 ? args[1] : "") }
            case .getDomainPath:
                reply = Self.strings(["/local/domain/\(args.first ?? "0")"])
            case .resetWatches:
                c.watches.removeAll()
            case .isDomainIntroduced:
                reply = Self.strings(["T"])
            default:
                return err("ENOSYS")
            }
            if txID == 0 {
                if !changed.isEmpty { generation += 1 }
                tree = view
                return (type, reply, matching(changed))
            }
            transactions[txID]!.tree = view
            return (type, reply, [])
        }
    }

    /// Watches that a change of `paths` fires: a watch on a node fires for changes at or
    /// below it. Called with `lock` held.
    private func matching(_ paths: [String]) -> Fired {
        var fired: Fired = []
        for p in paths {
            for c in connections {
                for w in c.watches where p == w.path || p.hasPrefix(w.path + "/") { fired.append((p, w.token, c)) }
            }
        }
        return fired
    }

    private func fire(_ path: String) {
        for (p, token, c) in lock.withLock({ matching([path]) }) {
            c.send(type: MessageType.watchEvent.rawValue, reqID: 0, txID: 0, payload: Self.strings([p, token]))
        }
    }
}
