import XenplanBasics

/// A domain configuration xenplan owns: the content of `/etc/xen/xenplan/<name>.cfg`.
/// Its existence is what makes a domain *managed*; a domain without one is left alone.
public struct DomainConfig: Hashable, Codable, Sendable {
    /// A disk is written as Xen shows it attached: device, target, read-only.
    public typealias Disk = DiskState

    public struct Nic: Hashable, Codable, Sendable {
        public var bridge: String
        public var mac: String?
        public var ip: String?
        /// Outgoing traffic limit in xl's syntax (`10Mb/s`); nil: unlimited.
        public var rate: String?
        /// The interface's name in dom0 (xl's `vifname=`); nil: Xen's `vifD.N`.
        public var vifname: String?
        public init(bridge: String, mac: String?, ip: String?, rate: String? = nil, vifname: String? = nil) {
            self.bridge = bridge
            self.mac = mac
            self.ip = ip
            self.rate = rate
            self.vifname = vifname
        }
    }

    /// The cloud-init seed disk attached after the declared disks, and a summary of the
    /// identity it holds, so that a later plan can say which first-boot setting differs.
    public struct Seed: Hashable, Codable, Sendable {
        public var vdev: String
        public var target: String
        /// `instance-id`, `hostname`, and short digests of `network`, `ssh-keys`, `password`.
        public var identity: [String: String]
        public init(vdev: String = CloudInitSeed.vdev, target: String, identity: [String: String]) {
            self.vdev = vdev
            self.target = target
            self.identity = identity
        }
        public var disk: Disk { Disk(vdev: vdev, target: target, readOnly: true) }
    }

    /// How the guest finds its kernel: pygrub or pvgrub (pv and pvh), a kernel kept in
    /// dom0 (pv and pvh), or the firmware of an HVM guest.
    public enum Boot: Hashable, Codable, Sendable {
        case pygrub
        /// GRUB built for Xen, run as the guest's kernel; it reads the guest's own grub.cfg.
        case pvgrub
        case kernel(kernel: String, ramdisk: String?, cmdline: String?)
        case firmware(Firmware)
    }

    public var name: String
    public var uuid: String?
    /// `pv`, `pvh` or `hvm`.
    public var type: String
    public var memory: ByteSize
    public var maxmem: ByteSize
    public var vcpus: Int
    public var maxvcpus: Int
    public var cpuWeight: Int
    public var cpuCap: Int
    public var boot: Boot
    public var disks: [Disk]
    public var nics: [Nic]
    /// Firmware devices of an HVM guest; nil for pv and pvh.
    public var hvm: Hvm?
    /// The first-boot seed disk, when the domain has one.
    public var seed: Seed?
    /// Never destroyed, even when removed from the manifests.
    public var protect: Bool
    /// Whether the `/etc/xen/auto` link exists (xendomains starts it at boot).
    public var autostart: Bool
    /// Hash of the manifests that wrote this file.
    public var manifestHash: String
    /// Name of the manifest file (in its directory) that declared the domain when this
    /// file was written: a plan that would destroy it can say that file is gone.
    public var manifestFile: String?

    public init(
        name: String, uuid: String? = nil, type: String = "pv", memory: ByteSize, maxmem: ByteSize,
        vcpus: Int, maxvcpus: Int, cpuWeight: Int = 256, cpuCap: Int = 0, boot: Boot = .pygrub,
        disks: [Disk] = [], nics: [Nic] = [], hvm: Hvm? = nil, seed: Seed? = nil, protect: Bool = false, autostart: Bool = true,
        manifestHash: String = "", manifestFile: String? = nil
    ) {
        self.name = name
        self.uuid = uuid
        self.type = type
        self.memory = memory
        self.maxmem = maxmem
        self.vcpus = vcpus
        self.maxvcpus = maxvcpus
        self.cpuWeight = cpuWeight
        self.cpuCap = cpuCap
        self.boot = boot
        self.disks = disks
        self.nics = nics
        self.hvm = hvm
        self.seed = seed
        self.protect = protect
        self.autostart = autostart
        self.manifestHash = manifestHash
        self.manifestFile = manifestFile
    }
}
