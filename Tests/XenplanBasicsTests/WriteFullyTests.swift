import Foundation
import Testing
import XenplanBasics

/// The one way xenplan writes a buffer to a descriptor.
struct WriteFullyTests {
    @Test func everyByteArrivesInOrder() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        // Less than a pipe holds, so that nothing needs to read while it is written.
        let data = Data((0..<60_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        #expect(writeFully(fds[1], data))
        close(fds[1])
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        #expect(received == data)
    }

    @Test func nothingToWriteIsDone() {
        #expect(writeFully(-1, Data()))
    }

    @Test func aFailureIsFalseWithErrnoSet() {
        let written = writeFully(-1, Data([1]))
        let code = errno
        #expect(!written)
        #expect(code == EBADF)
    }
}
