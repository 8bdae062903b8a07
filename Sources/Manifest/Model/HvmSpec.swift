import XenplanBasics

/// An HVM guest's firmware and emulated devices as declared (`firmware`, `bootOrder`,
/// `cdrom`, `vnc`, `serial`, `viridian`), with defaults applied.
public struct HvmSpec: Hashable, Sendable {
    public enum Firmware: String, Hashable, Sendable, CaseIterable {
        /// SeaBIOS, the device model's BIOS.
        case bios
        /// OVMF.
        case uefi
    }

    /// A device the firmware tries, in `bootOrder`.
    public enum BootDevice: String, Hashable, Sendable, CaseIterable {
        case disk, cdrom, network
    }

    public enum Serial: String, Hashable, Sendable, CaseIterable {
        /// A pty `xl console` reaches.
        case pty
        case none
    }

    /// The emulated CD-ROM's file: an image of the lab's `images:` or a file on the host.
    public struct Cdrom: Hashable, Sendable {
        /// Absolute path on the host; for an image, the image's path.
        public var path: String
        /// The image named, when written `cdrom: {image: NAME}`.
        public var image: String?
        public init(path: String, image: String? = nil) {
            self.path = path
            self.image = image
        }
    }

    public struct Vnc: Hashable, Sendable {
        /// Only on the dom0's loopback unless written otherwise: whoever reaches the
        /// display has the guest's keyboard.
        public static let defaultListen = "127.0.0.1"
        public static let displays = 0...99
        public var listen: String
        /// nil: the first free display.
        public var display: Int?
        public init(listen: String = Vnc.defaultListen, display: Int? = nil) {
            self.listen = listen
            self.display = display
        }
    }

    public var firmware: Firmware
    /// Empty: xl's default (disk, then CD-ROM).
    public var bootOrder: [BootDevice]
    public var cdrom: Cdrom?
    /// nil: `vnc: false`.
    public var vnc: Vnc?
    public var serial: Serial
    public var viridian: Bool

    public init(
        firmware: Firmware = .bios, bootOrder: [BootDevice] = [], cdrom: Cdrom? = nil, vnc: Vnc? = Vnc(),
        serial: Serial = .pty, viridian: Bool = false
    ) {
        self.firmware = firmware
        self.bootOrder = bootOrder
        self.cdrom = cdrom
        self.vnc = vnc
        self.serial = serial
        self.viridian = viridian
    }
}
