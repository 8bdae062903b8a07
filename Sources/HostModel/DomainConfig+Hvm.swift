import XenplanBasics

extension DomainConfig {
    /// An HVM guest's firmware: `bios` (the device model's default, SeaBIOS) or `uefi` (OVMF).
    public enum Firmware: String, Hashable, Codable, Sendable, CaseIterable {
        case bios, uefi
    }

    /// An HVM guest's emulated devices: nil for pv and pvh guests.
    public struct Hvm: Hashable, Codable, Sendable {
        /// A device the firmware tries to boot from, in xl's `boot=` letters.
        public enum BootDevice: String, Hashable, Codable, Sendable, CaseIterable {
            case disk, cdrom, network
            public var letter: Character {
                switch self {
                case .disk: return "c"
                case .cdrom: return "d"
                case .network: return "n"
                }
            }
            public init?(letter: Character) {
                guard let device = Self.allCases.first(where: { $0.letter == letter }) else { return nil }
                self = device
            }
        }

        /// The emulated serial port: a pty `xl console` reaches, or none.
        public enum Serial: String, Hashable, Codable, Sendable, CaseIterable {
            case pty, none
        }

        /// The VNC display of the emulated graphics card.
        public struct Vnc: Hashable, Codable, Sendable {
            /// IPv4 address the display listens on.
            public var listen: String
            /// Display number (TCP port 5900 + display); nil: the first free one.
            public var display: Int?
            public static let defaultListen = "127.0.0.1"
            public static let displays = 0...99
            public init(listen: String = Vnc.defaultListen, display: Int? = nil) {
                self.listen = listen
                self.display = display
            }
        }

        /// The emulated CD-ROM's device: the secondary IDE master, so that a disk at
        /// `hda`/`xvda` keeps the first place.
        public static let cdromVdev = "hdc"

        /// Empty: xl's default order (disk, then CD-ROM).
        public var bootOrder: [BootDevice]
        /// The file the emulated CD-ROM holds (read-only); nil: no CD-ROM drive.
        public var cdrom: String?
        /// nil: no VNC display.
        public var vnc: Vnc?
        public var serial: Serial
        /// Hyper-V enlightenments (xl's `viridian=1`) for Windows guests.
        public var viridian: Bool

        public init(
            bootOrder: [BootDevice] = [], cdrom: String? = nil, vnc: Vnc? = Vnc(),
            serial: Serial = .pty, viridian: Bool = false
        ) {
            self.bootOrder = bootOrder
            self.cdrom = cdrom
            self.vnc = vnc
            self.serial = serial
            self.viridian = viridian
        }

        /// xl's `boot=` value: `dc` for CD-ROM, then disk.
        public var bootLetters: String { String(bootOrder.map(\.letter)) }
    }
}
