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
