import HostModel
import XenplanBasics

/// The words `xl`, libxl, LVM and the hotplug scripts print when they refuse, so that a
/// simulated failure reads like a real one. libxl's log prefix (`libxl: error:
/// file.c:line:function:`) is left out: it names a source line, not the problem.
enum XlMessages {
    /// `find_domain()` in tools/xl/xl_utils.c (rc -6 is ERROR_INVAL).
    static func invalidDomain(_ identifier: String) -> String {
        "\(identifier) is an invalid domain identifier (rc=-6)"
    }

    /// libxl_set_memory_target() in tools/libs/light/libxl_mem.c.
    static func memoryAboveStaticMax(domid: Int) -> String {
        "Domain \(domid):memory_dynamic_max must be less than or equal to memory_static_max"
    }

    /// Growing a balloon needs pages the hypervisor can give.
    static func memoryGrowWithoutRoom(domid: Int, needed: ByteSize, free: ByteSize) -> String {
        "Domain \(domid):cannot grow by \(needed): only \(free) free on the host"
    }

    /// libxl_set_vcpuonline() in tools/libs/light/libxl_domain.c.
    static func vcpusAboveMax(domid: Int, requested: Int, max: Int) -> String {
        "Domain \(domid):Requested \(requested) VCPUs, however maxcpus is \(max)!"
    }

    static func zeroVcpus(domid: Int) -> String { "Domain \(domid):Requested 0 VCPUs!" }

    /// sched_credit_domain_set() in tools/libs/light/libxl_sched.c.
    static let weightOutOfRange = "Cpu weight out of range, valid values are within range from 1 to 65535"
    static let capOutOfRange = "Cpu cap out of range, valid range is from 0 to 100 for specified number of vcpus"

    /// xl create of a file that is not there (parse_config_data's caller in xl_vmcontrol.c).
    static func noConfig(_ name: String) -> String {
        "Failed to read config file: /etc/xen/xenplan/\(name).cfg: No such file or directory"
    }

    /// The vif hotplug script renaming a new interface to a name dom0 already has.
    static func vifnameInUse(_ name: String) -> String {
        "/etc/xen/scripts/vif-bridge failed; error detected: ip link set dev \(name) failed: File exists"
    }

    /// create_domain() in tools/xl/xl_vmcontrol.c when freemem() cannot find the memory.
    static let noMemory = "failed to free memory for the domain"

    /// libxl__domain_rename() in tools/libs/light/libxl_domain.c.
    static func nameExists(_ name: String) -> String { "Domain with name \"\(name)\" already exists." }

    /// libxl__device_disk_set_backend() in tools/libs/light/libxl_disk.c (LOGE adds errno).
    static func diskMissing(vdev: String, target: String) -> String {
        "Disk vdev=\(vdev) failed to stat: \(target): No such file or directory"
    }

    /// The vif-bridge hotplug script, as libxl relays it.
    static func bridgeMissing(_ bridge: String) -> String { "script: Could not find bridge device \(bridge)" }

    static func vdevInUse(_ vdev: String) -> String { "Disk vdev=\(vdev) is already attached to the domain" }

    /// check_sharing in tools/hotplug/Linux/block: a device another guest of this host
    /// uses is refused when either side would write to it.
    static func diskSharedWithGuest(_ target: String) -> String {
        "Device \(target) is mounted in a guest domain, and so cannot be mounted now."
    }
    static func deviceNotConnected(_ vdev: String) -> String { "Error: Device \(vdev) not connected." }
    static func unknownNic(_ mac: String) -> String { "Unknown device \(mac)." }

    static let domain0 = "Domain-0 cannot be changed by this operation"

    // MARK: Migration

    static func migrationTarget(_ host: String, _ message: String) -> String {
        "migration target \(host): \(message)"
    }

    static func versionMismatch(source: String, target: String, targetHost: String) -> String {
        "migration to \(targetHost) refused: Xen \(target) there, \(source) here (live migration needs the same version)"
    }

    static let migrateToSelf = "cannot migrate a domain to the host it runs on"

    // MARK: Cold moves

    /// What ssh says of a host it cannot reach.
    static func sshUnreachable(_ host: String) -> String {
        "ssh: Could not resolve hostname \(host): Name or service not known"
    }

    static func stillHere(_ domain: String, volume: String, host: String) -> String {
        "\(domain) is still on \(host): its volume \(volume) is not copied while it may be written"
    }

    static func sizeDiffers(_ target: String, on host: String, bytes: Int64, source: String, sourceBytes: Int64) -> String {
        "\(target) on \(host) is \(bytes) bytes, \(source) here \(sourceBytes): the copy would not be whole"
    }

    static func copyMismatch(_ target: String, on host: String, copied: String, source: String, digest: String) -> String {
        "\(target) on \(host) has sha256 \(copied) after the copy, \(source) here \(digest); it is not named, the next plan removes it"
    }

    static func notACopy(_ target: String, on host: String, copied: String, source: String, digest: String) -> String {
        "\(target) on \(host) has sha256 \(copied), \(source) here \(digest): it is not a copy of this volume; remove one of them"
    }

    static func notCopied(vg: String, partial: String, name: String) -> String {
        "volume \(vg)/\(partial) is not there: nothing was copied to name \(name)"
    }

    // MARK: LVM and image directories

    static let extent = ByteSize.mib(4)

    static func extents(_ size: ByteSize) -> Int64 { (size.kib + extent.kib - 1) / extent.kib }

    static func vgNotFound(_ vg: String) -> String { "Volume group \"\(vg)\" not found" }

    static func lvExists(vg: String, name: String) -> String {
        "Logical Volume \"\(name)\" already exists in volume group \"\(vg)\""
    }

    /// lvcreate's refusal, counted in free and required extents.
    static func vgFull(vg: String, freeExtents: Int64, required: Int64) -> String {
        "Volume group \"\(vg)\" has insufficient free space (\(freeExtents) extents): \(required) required."
    }

    static func lvNotFound(vg: String, name: String) -> String { "Failed to find logical volume \"\(vg)/\(name)\"" }
    static func lvInUse(vg: String, name: String) -> String { "Logical volume \(vg)/\(name) in use." }

    static func lvNotLarger(new: Int64, existing: Int64) -> String {
        "New size given (\(new) extents) not larger than existing size (\(existing) extents)"
    }

    static func lvSameSize(_ extents: Int64) -> String {
        "New size (\(extents) extents) matches existing size (\(extents) extents)."
    }

    static func lvExtendNoSpace(needed: Int64, available: Int64) -> String {
        "Insufficient free space: \(needed) extents needed, but only \(available) available"
    }

    static func dirNotFound(_ path: String) -> String { "\(path): No such file or directory" }
    static func fileExists(_ path: String) -> String { "\(path): File exists" }
    static func noSpace(_ path: String) -> String { "\(path): No space left on device" }
    static func fileInUse(_ path: String, by domain: String) -> String { "\(path): in use by domain \(domain)" }
    static func fileNotLarger(_ path: String, new: ByteSize, existing: ByteSize) -> String {
        "\(path): new size \(new) is not larger than the current \(existing)"
    }

    // MARK: Images (the Xen driver's own words: no tool refuses these)

    static func imageMissing(_ image: ImageSource, host: String) -> String {
        "image \(image.name) (\(image.path)) is not on \(host)"
    }

    static func imageChecksum(_ image: ImageSource, host: String, actual: String, expected: String) -> String {
        "image \(image.name) (\(image.path)) on \(host) has sha256 \(actual), expected \(expected)"
    }

    static func imageFormat(_ image: ImageSource, host: String, actual: String) -> String {
        "image \(image.name) (\(image.path)) on \(host) is \(actual), not \(image.format) as declared"
    }

    static func imageTooLarge(_ image: ImageSource, virtualSize: ByteSize, disk: ByteSize) -> String {
        "image \(image.name) is \(virtualSize), larger than the \(disk) disk"
    }

    // MARK: Save files and backups

    /// create_domain() in tools/xl/xl_vmcontrol.c when the restore file cannot be opened.
    static let noRestoreFile = "Can't open restore file: No such file or directory"

    /// The Xen driver's check of a restored volume before it takes its name.
    static func restoreChecksum(_ source: BackupSource, volume: String, actual: String) -> String {
        "backup \(source.id) of \(source.domain) (\(source.path)) restored into \(volume) has sha256 \(actual), "
            + "expected \(source.sha256)"
    }

    // MARK: Bridges

    static let bridgeExists = "RTNETLINK answers: File exists"
}
