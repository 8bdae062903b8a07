#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Swaps two files' names atomically (Linux `renameat2` with `RENAME_EXCHANGE`): a host
/// file is replaced by its spare, and the old version becomes the spare written next
/// time. Replacing by a rename instead frees an inode and allocates another at each
/// write, which a file system without a journal (ext4 `^has_journal`) pays for with a
/// search past every recently deleted inode: hundreds of hosts written many times a
/// second made that the largest cost of an apply.
enum RenameExchange {
    private typealias Function = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// `renameat2`, looked up once: the C library may be older than the call, and the
    /// Swift module of the C library does not declare it.
    private static let renameat2: Function? = {
        #if os(Linux)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
            return unsafeBitCast(symbol, to: Function.self)
        #else
            return nil
        #endif
    }()

    /// Swaps `a` and `b`; false (with `errno` set) when they could not be swapped: one
    /// does not exist, or the system or the file system cannot swap.
    static func swap(_ a: String, _ b: String) -> Bool {
        guard let renameat2 else {
            errno = ENOSYS
            return false
        }
        let exchange: UInt32 = 1 << 1
        return renameat2(AT_FDCWD, a, AT_FDCWD, b, exchange) == 0
    }
}
