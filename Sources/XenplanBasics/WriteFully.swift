import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes all of `data` to `fd`, resuming after short writes and interrupted calls; false
/// on an error (with `errno` set), for the caller to report with its own words.
public func writeFully(_ fd: Int32, _ data: Data) -> Bool {
    data.withUnsafeBytes { buffer -> Bool in
        var offset = 0
        while offset < buffer.count {
            #if canImport(Glibc)
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            #else
                let n = Darwin.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            #endif
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }
}
