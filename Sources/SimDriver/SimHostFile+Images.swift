import FoundationEssentials
import HostModel
import XenplanBasics

extension SimHostFile {
    /// A disk image file on the host: what `qemu-img info` and `sha256sum` say of it.
    public struct Image: Hashable, Codable, Sendable {
        public var fileSize: ByteSize
        /// The disk it holds: the file size for raw, the qcow2 header's size otherwise.
        public var virtualSize: ByteSize
        /// `raw` or `qcow2`, as the file's first bytes say.
        public var format: String
        /// Lower-case hex.
        public var sha256: String

        public static let formats = ["raw", "qcow2"]
        /// The size of an image placed without one: a small cloud image's.
        public static let defaultSize = ByteSize.gib(2)

        /// `virtualSize` defaults to the file size (a raw image's only possible one).
        public init(fileSize: ByteSize, virtualSize: ByteSize? = nil, format: String = "raw", sha256: String) {
            self.fileSize = fileSize
            self.virtualSize = virtualSize ?? fileSize
            self.format = format
            self.sha256 = sha256
        }

        /// An image as a person puts one in place: `virtualSize` defaults to the file size,
        /// `sha256` to a stable stand-in derived from the path and the size.
        public static func placed(
            at path: String, fileSize: ByteSize, virtualSize: ByteSize? = nil,
            format: String = "raw", sha256: String? = nil
        ) -> Image {
            Image(
                fileSize: fileSize, virtualSize: virtualSize, format: format,
                sha256: sha256 ?? SimIdentity.sha256(path: path, fileSize: fileSize))
        }

        /// What is wrong with the image, worded to follow "image PATH"; nil when nothing is.
        /// Sizes are checked by the caller, against the limits of a host.
        public var problem: String? {
            guard Self.formats.contains(format) else { return "has format \(shownValue(format)), not raw or qcow2" }
            let hex = sha256.utf8.allSatisfy { Syntax.isDigit($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
            guard sha256.utf8.count == 64, hex else {
                return "has sha256 \(shownValue(sha256)), not 64 lower-case hex digits"
            }
            if format == "raw", virtualSize != fileSize {
                return "is raw, so its virtual size is its size (\(fileSize)), not \(virtualSize)"
            }
            return nil
        }

        /// What a copy reads and writes: every byte of a raw disk; only the clusters a
        /// qcow2 file holds (`qemu-img convert` skips the unallocated ones).
        var copiedBytes: ByteSize { format == "qcow2" ? fileSize : virtualSize }
    }

    /// How fast an image is copied into a new volume: a local disk's sequential rate.
    public static let imageCopyRate = ByteSize.mib(200)

    /// Seconds a copy of `image` takes here (before the driver's speed): the `copy-image`
    /// latency, plus its bytes at `imageCopyRate` when the host has the file.
    public func copySeconds(of image: ImageSource) -> Double {
        let bytes = images[image.path]?.copiedBytes ?? .zero
        return (latencies["copy-image"] ?? 0) + Double(bytes.kib) / Double(Self.imageCopyRate.kib)
    }

    /// The Xen driver's copy of an image into a new volume, with its refusals in its
    /// words and order: an existing volume is never written over; the image must be
    /// there, be the file declared (sha256, when given) in the declared format, and fit
    /// the disk; then the volume is created like any other. It appears complete or not
    /// at all (the real driver copies under a temporary name and renames).
    mutating func createVolume(
        container name: String, name volume: String, size: ByteSize, from image: ImageSource,
        host: String, fail: (String) -> HostError
    ) throws {
        if let container = storage[name], container.volumes[volume] != nil {
            throw fail(
                container.type == .lvm
                    ? XlMessages.lvExists(vg: name, name: volume)
                    : XlMessages.fileExists(devicePath(container: name, volume: volume)))
        }
        guard let file = images[image.path] else { throw fail(XlMessages.imageMissing(image, host: host)) }
        if let expected = image.sha256, expected != file.sha256 {
            throw fail(XlMessages.imageChecksum(image, host: host, actual: file.sha256, expected: expected))
        }
        guard file.format == image.format else {
            throw fail(XlMessages.imageFormat(image, host: host, actual: file.format))
        }
        guard file.virtualSize <= size else {
            throw fail(XlMessages.imageTooLarge(image, virtualSize: file.virtualSize, disk: size))
        }
        try createVolume(container: name, name: volume, size: size, fail: fail)
    }

    /// The shared image directory `path` lies in, if any: a file there is on every host
    /// that shares the directory, as on NFS.
    func sharedDirectory(holding path: String) -> String? {
        storage.keys.sorted().first { name in
            guard let container = storage[name], container.type == .dir, container.shared else { return false }
            return path.hasPrefix(name.hasSuffix("/") ? name : name + "/")
        }
    }
}
