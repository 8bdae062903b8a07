import Foundation

/// Exactly `count` bytes from `fd`, or nil at end of file or on an error: how the test
/// xenstore servers read a message's header and payload.
func readFully(_ fd: Int32, _ count: Int) -> [UInt8]? {
    var buffer = [UInt8](repeating: 0, count: count)
    var offset = 0
    while offset < count {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + offset, count - offset) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return nil }
        offset += n
    }
    return buffer
}

/// A listening Unix socket in a fresh short directory under /tmp (sun_path holds 108
/// bytes): where the test xenstore servers wait for libxenstore and the wire client.
func listenOnUnixSocket(prefix: String, backlog: Int32) throws -> (directory: URL, path: String, fd: Int32) {
    let directory = URL(fileURLWithPath: "/tmp/\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("socket").path
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { buf in
        for (i, b) in path.utf8.enumerated() { buf[i] = b }
    }
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard fd >= 0, bound == 0, listen(fd, backlog) == 0 else {
        if fd >= 0 { close(fd) }
        throw POSIXError(.EADDRINUSE)
    }
    return (directory, path, fd)
}

/// Ends a test server: no new connections, open ones shut down (their threads then see
/// end of file), the socket's directory removed.
func closeServer(listenFD: Int32, connections: [Int32], directory: URL) {
    shutdown(listenFD, Int32(SHUT_RDWR))
    close(listenFD)
    for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
    try? FileManager.default.removeItem(at: directory)
}
