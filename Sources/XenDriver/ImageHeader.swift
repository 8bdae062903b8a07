import XenplanBasics

/// What the first bytes of a disk image say: its real format, and for qcow2 the size of
/// the disk it holds. Read before anything is copied (a file declared raw that is really
/// qcow2 would be copied as its container, not its disk) and for every declared image at
/// observation: 32 bytes each, whatever the file's size.
public struct ImageHeader: Hashable, Sendable {
    /// Bytes read from the start of a file: a qcow2 header's size field ends at byte 32.
    public static let length = 32
    /// `QFI\xfb`: the magic every qcow2 file starts with.
    static let qcow2Magic: [UInt8] = [0x51, 0x46, 0x49, 0xFB]

    /// `raw` or `qcow2`.
    public var format: String
    /// The disk's size in bytes: the header's for qcow2, the file's for raw.
    public var virtualBytes: UInt64

    /// Reads the header from `bytes` (the file's first bytes) for a file of `fileBytes`.
    public init(bytes: [UInt8], fileBytes: UInt64) {
        if bytes.count >= Self.length, Array(bytes.prefix(4)) == Self.qcow2Magic {
            format = "qcow2"
            // The virtual size: a big-endian 64-bit number at offset 24.
            virtualBytes = bytes[24..<32].reduce(0) { $0 << 8 | UInt64($1) }
        } else {
            format = "raw"
            virtualBytes = fileBytes
        }
    }

    /// Bytes as a `ByteSize`, rounded up: a disk one byte over 8 GiB does not fit in 8 GiB.
    static func size(_ bytes: UInt64) -> ByteSize {
        ByteSize(kib: Int64(clamping: bytes / 1024 + (bytes % 1024 == 0 ? 0 : 1)))
    }
}
