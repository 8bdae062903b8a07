import Foundation
import Glibc

/// A xenstored that misbehaves on cue, for the failures `TestXenstored` never shows:
/// an error other than ENOENT, a connection closed in the middle of a batch, a daemon
/// that stops answering, replies that break the protocol. It reads one request at a
/// time, as xenstored does, and answers from `tree` (transaction 7, every read inside
/// it) unless `script` says otherwise for that request.
///
/// `@unchecked Sendable`: the log and the connection list are guarded by `lock`.
final class ScriptedXenstored: @unchecked Sendable {
    struct Request: Equatable {
        var index: Int
        var type: UInt32
        var reqID: UInt32
        var tx: UInt32
        var path: String
    }

    enum Answer {
        /// As xenstored would, from the tree.
        case tree
        /// An `XS_ERROR` reply carrying `name`.
        case error(String)
        /// A raw message: any type, req_id and announced length (the real payload's
        /// length when nil).
        case message(type: UInt32, reqID: UInt32, length: UInt32?, payload: [UInt8])
        /// Sends a header announcing `announced` bytes and only `payload`, then closes.
        case partial(type: UInt32, announced: UInt32, payload: [UInt8])
        /// Closes the connection without answering.
        case close
        /// Never answers again (the connection stays open).
        case silence
    }

    static let transaction: UInt32 = 7

    let directory: URL
    let socketPath: String
    private let listenFD: Int32
    private let tree: XenstoreTree
    private let script: @Sendable (Request) -> Answer
    private let lock = NSLock()
    private var connections: [Int32] = []
    private var stopped = false
    private(set) var log: [Request] = []

    init(tree: XenstoreTree, script: @escaping @Sendable (Request) -> Answer) throws {
        self.tree = tree
        self.script = script
        (directory, socketPath, listenFD) = try listenOnUnixSocket(prefix: "xss", backlog: 4)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    static func cpt18(script: @escaping @Sendable (Request) -> Answer) throws -> ScriptedXenstored {
        try ScriptedXenstored(tree: XenstoreTree.parse(lsFull: try Fixtures.text("xenstore/cpt18.tree")), script: script)
    }

    func stop() {
        let wasStopped = lock.withLock { () -> Bool in
            defer { stopped = true }
            return stopped
        }
        if wasStopped { return }
        closeServer(listenFD: listenFD, connections: lock.withLock { connections }, directory: directory)
    }

    deinit { stop() }

    private func acceptLoop() {
        while true {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            lock.withLock { connections.append(fd) }
            Thread.detachNewThread { [self] in serve(fd) }
        }
    }

    private func send(_ fd: Int32, type: UInt32, reqID: UInt32, tx: UInt32, length: UInt32? = nil, payload: [UInt8]) {
        var message = [UInt8]()
        for field in [type, reqID, tx, length ?? UInt32(payload.count)] { withUnsafeBytes(of: field.littleEndian) { message += $0 } }
        message += payload
        var offset = 0
        while offset < message.count {
            let n = message.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, message.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }

    private func serve(_ fd: Int32) {
        var silent = false
        defer {
            lock.withLock { connections.removeAll { $0 == fd } }
            close(fd)
        }
        var index = 0
        while let header = readFully(fd, 16) {
            let fields = (0..<4).map { i in header[i * 4..<i * 4 + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
            let (type, reqID, tx, length) = (fields[0], fields[1], fields[2], Int(fields[3]))
            guard length <= 4096, let payload = length == 0 ? [] : readFully(fd, length) else { return }
            let request = Request(
                index: index, type: type, reqID: reqID, tx: tx,
                path: String(decoding: payload.prefix { $0 != 0 }, as: UTF8.self))
            index += 1
            lock.withLock { log.append(request) }
            if silent { continue }
            switch script(request) {
            case .tree:
                let (replyType, reply) = answer(request)
                send(fd, type: replyType, reqID: reqID, tx: tx, payload: reply)
            case .error(let name):
                send(fd, type: 16, reqID: reqID, tx: tx, payload: Array(name.utf8) + [0])
            case let .message(type, id, announced, payload):
                send(fd, type: type, reqID: id, tx: tx, length: announced, payload: payload)
            case let .partial(type, announced, payload):
                send(fd, type: type, reqID: reqID, tx: tx, length: announced, payload: payload)
                return
            case .close:
                return
            case .silence:
                silent = true
            }
        }
    }

    private func answer(_ r: Request) -> (UInt32, [UInt8]) {
        let error = { (name: String) in (UInt32(16), Array(name.utf8) + [0]) }
        switch r.type {
        case 6: return (6, Array(String(Self.transaction).utf8) + [0])
        case 7: return r.tx == Self.transaction ? (7, Array("OK".utf8) + [0]) : error("ENOENT")
        case 1, 2:
            guard r.tx == Self.transaction || r.tx == 0 else { return error("ENOENT") }
            if r.type == 2 { return tree.read(r.path).map { (2, $0) } ?? error("ENOENT") }
            return tree.children(r.path).map { (1, $0.flatMap { Array($0.utf8) + [0] }) } ?? error("ENOENT")
        default: return error("ENOSYS")
        }
    }
}
