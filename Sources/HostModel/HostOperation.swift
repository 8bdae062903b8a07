import XenplanBasics

/// One primitive change a host can make: each maps to one tool invocation (or a short,
/// fixed sequence) on a real dom0. The executor performs a plan's actions as sequences
/// of these, one at a time per host.
public enum HostOperation: Hashable, Codable, Sendable {
    /// `ip link add NAME type bridge`, `ip link set IFACE master NAME`, up; with `vlan`,
    /// the port is the VLAN interface `IFACE.VLAN` (`ip link add link IFACE name IFACE.VLAN
    /// type vlan id VLAN`).
    case createBridge(name: String, interface: String?, vlan: Int? = nil)
    /// Write the bridge's ifupdown file (`BridgeFile`) atomically, 0644, at the path the
    /// host fixes (`/etc/network/interfaces.d/xenplan-NAME`).
    case writeBridgeFile(BridgeFile)
    /// Remove the ifupdown file of a bridge no longer declared (only a file with xenplan's
    /// marker); the bridge itself stays until the host reboots.
    case removeBridgeFile(bridge: String)
    /// `lvcreate -L SIZE -n NAME VG` or a sparse raw file in a `dir` pool.
    case createVolume(container: String, name: String, size: ByteSize)
    /// A new volume filled from an image: made under a temporary name, the image checked
    /// against its SHA-256 when given, copied in (`qemu-img convert` for qcow2, a plain
    /// copy for raw), and only then renamed to `name`, so that a volume of that name is
    /// always complete. Never writes over an existing volume.
    case createVolumeFromImage(container: String, name: String, size: ByteSize, image: ImageSource)
    /// Build the domain's NoCloud seed (`genisoimage -volid cidata`) and put it in place
    /// at `CloudInitSeed.path(domain:)` atomically.
    case writeSeed(CloudInitSeed)
    /// `lvextend -L SIZE` / `truncate -s SIZE`.
    case growVolume(container: String, name: String, size: ByteSize)
    /// `lvremove -f VG/NAME` / unlink: data loss.
    case removeVolume(container: String, name: String)
    /// Write `/etc/xen/xenplan/NAME.cfg` atomically (0600) and its `/etc/xen/auto` link.
    case writeConfig(DomainConfig)
    /// Remove the configuration and the auto link (the domain is no longer managed).
    case removeConfig(name: String)
    /// `xl create /etc/xen/xenplan/NAME.cfg`.
    case create(domain: String)
    /// `xl mem-set DOMAIN SIZE`.
    case setMemory(domain: String, target: ByteSize)
    /// `xl vcpu-set DOMAIN N`.
    case setVcpus(domain: String, count: Int)
    /// `xl sched-credit -d DOMAIN -w WEIGHT -c CAP`.
    case setScheduler(domain: String, weight: Int, cap: Int)
    /// `xl block-attach DOMAIN format=raw,vdev=…,access=…,target=…`.
    case attachDisk(domain: String, disk: DomainConfig.Disk)
    /// `xl block-detach DOMAIN VDEV`.
    case detachDisk(domain: String, vdev: String)
    /// `xl network-attach DOMAIN bridge=…,mac=…[,ip=…]`.
    case attachNic(domain: String, nic: DomainConfig.Nic)
    /// `xl network-detach DOMAIN MAC`.
    case detachNic(domain: String, mac: String)
    /// `xl migrate DOMAIN HOST`: live; the domain holds memory on both hosts meanwhile.
    case migrate(domain: String, toHost: String)
    /// `xl shutdown DOMAIN`, wait up to `timeout` seconds for it to go, then `xl destroy`.
    case shutdown(domain: String, timeoutSeconds: Int)
    /// `xl destroy DOMAIN`: immediate.
    case destroy(domain: String)
    /// `xl destroy NAME--incoming` / `NAME--migratedaway`: a copy an interrupted migration
    /// left behind (the receiving side's half-built domain, or a dead source after the
    /// target took over).
    case discardMigrationCopy(domain: String, role: TransientRole)
    /// `xl rename NAME--ROLE NAME`, `xl unpause NAME`: the one copy an interrupted
    /// migration left runs on under its own name (the source, as xl's own failure path
    /// resumes it; or the receiver's copy when the source is already gone).
    case keepMigrationCopy(domain: String, role: TransientRole)
    /// `xl save DOMAIN <directory>/DOMAIN.save.partial CONFIG`, then the file renamed to
    /// `DOMAIN.save`: the domain's memory is written out and the domain is gone, its
    /// memory and vCPUs free. A file named `DOMAIN.save` is always complete.
    case save(domain: String, directory: String)
    /// `xl restore CONFIG <directory>/DOMAIN.save`, then the save file removed (restoring
    /// it a second time would run the guest on disks that moved on).
    case restore(domain: String, directory: String)
    /// Remove `DOMAIN.save` (or `DOMAIN.save.partial`): a stale or discarded memory image.
    case removeSave(domain: String, directory: String, partial: Bool)
    /// Snapshot, copy, record and prune, as `BackupJob` describes.
    case backup(BackupJob)
    /// A volume filled from a backup's copy: made under a temporary name, the copy
    /// decompressed into it, its content checked against the recorded SHA-256, and only
    /// then named `name`. With `replace`, an existing volume of that name (of a stopped
    /// domain) is removed only once the new one is complete and checked; without it, an
    /// existing volume is never written.
    case restoreVolume(container: String, name: String, size: ByteSize, source: BackupSource, replace: Bool)
    /// The receiving side of a cold move, before the copy: a logical volume
    /// `VolumeState.partialName(name)` of exactly `size` (a leftover of that name removed
    /// first), untagged. Refused when `name` exists: a copy never writes over a volume.
    case receiveVolume(container: String, name: String, size: ByteSize)
    /// The sending side of a cold move: checks the domain does not run here, hashes the
    /// volume, copies it over ssh into the target's partial volume (`ssh TARGET dd of=…`,
    /// its stdin the volume itself), hashes the partial volume there and compares.
    case sendVolume(VolumeTransfer)
    /// The receiving side of a cold move, after the copy was checked: the partial volume
    /// takes `name` and the `xenplan` tag.
    case commitVolume(container: String, name: String)

    /// The operation's kind, as `xenplan sim fail HOST KIND` names it.
    public var kind: String {
        switch self {
        case .createBridge: return "create-bridge"
        case .writeBridgeFile: return "write-bridge-file"
        case .removeBridgeFile: return "remove-bridge-file"
        case .createVolume: return "create-volume"
        case .createVolumeFromImage: return "copy-image"
        case .writeSeed: return "write-seed"
        case .growVolume: return "grow-volume"
        case .removeVolume: return "remove-volume"
        case .writeConfig: return "write-config"
        case .removeConfig: return "remove-config"
        case .create: return "create"
        case .setMemory: return "mem-set"
        case .setVcpus: return "vcpu-set"
        case .setScheduler: return "sched-credit"
        case .attachDisk: return "block-attach"
        case .detachDisk: return "block-detach"
        case .attachNic: return "network-attach"
        case .detachNic: return "network-detach"
        case .migrate: return "migrate"
        case .shutdown: return "shutdown"
        case .destroy: return "destroy"
        case .discardMigrationCopy: return "discard-migration-copy"
        case .keepMigrationCopy: return "keep-migration-copy"
        case .save: return "save"
        case .restore: return "restore"
        case .removeSave: return "remove-save"
        case .backup: return "backup"
        case .restoreVolume: return "restore-volume"
        case .receiveVolume: return "receive-volume"
        case .sendVolume: return "send-volume"
        case .commitVolume: return "commit-volume"
        }
    }

    public static let allKinds = [
        "create-bridge", "write-bridge-file", "remove-bridge-file", "create-volume", "copy-image", "write-seed", "grow-volume", "remove-volume",
        "write-config", "remove-config",
        "create", "mem-set", "vcpu-set", "sched-credit", "block-attach", "block-detach", "network-attach",
        "network-detach", "migrate", "shutdown", "destroy", "discard-migration-copy", "keep-migration-copy",
        "save", "restore", "remove-save", "backup", "restore-volume", "receive-volume", "send-volume", "commit-volume",
    ]

    /// The domain an operation concerns, for error messages; nil for host preparations.
    public var domainName: String? {
        switch self {
        case let .create(d), let .setMemory(d, _), let .setVcpus(d, _), let .setScheduler(d, _, _),
            let .attachDisk(d, _), let .detachDisk(d, _), let .attachNic(d, _), let .detachNic(d, _),
            let .migrate(d, _), let .shutdown(d, _), let .destroy(d), let .removeConfig(d),
            let .discardMigrationCopy(d, _), let .keepMigrationCopy(d, _), let .save(d, _), let .restore(d, _),
            let .removeSave(d, _, _):
            return d
        case let .backup(job):
            return job.domain
        case let .restoreVolume(_, _, _, source, _):
            return source.domain
        case let .sendVolume(transfer):
            return transfer.domain
        case let .writeConfig(config):
            return config.name
        case let .writeSeed(seed):
            return seed.domain
        case .createBridge, .writeBridgeFile, .removeBridgeFile, .createVolume, .createVolumeFromImage, .growVolume, .removeVolume,
            .receiveVolume, .commitVolume:
            return nil
        }
    }
}
