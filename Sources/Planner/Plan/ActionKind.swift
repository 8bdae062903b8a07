/// The kinds of planned action (docs/plan-format.md lists what each does). The raw value
/// is what the JSON plan and the journal say.
public enum ActionKind: String, Codable, Hashable, Sendable, CaseIterable {
    case createBridge = "create-bridge"
    /// Write or remove xenplan's ifupdown file of a bridge (what brings it back at boot).
    case bridgeFile = "bridge-file"
    case createVolume = "create-volume"
    case growVolume = "grow-volume"
    case create
    case start
    case setMemory = "set-memory"
    case setVcpus = "set-vcpus"
    case setScheduler = "set-scheduler"
    case attachDisk = "attach-disk"
    case detachDisk = "detach-disk"
    case attachNic = "attach-nic"
    case detachNic = "detach-nic"
    case migrate
    /// A cold move: shut down on one host, its volumes copied to the other, started there.
    case move
    case restart
    case stop
    case destroy
    case removeVolume = "remove-volume"
    /// Write xenplan's configuration for a domain that exists but was not created by
    /// xenplan (adoption), or whose configuration differs only in bookkeeping.
    case writeConfig = "write-config"
    /// Settle what an interrupted migration left: discard the half-built copy, and run
    /// the surviving one under its own name.
    case recoverMigration = "recover-migration"
    /// Remove a configuration of a domain that runs on another host (a reboot of this
    /// host would start a second copy on the same disks).
    case removeStaleConfig = "remove-stale-config"
    /// `xl save`: the guest's memory written to a file, its memory and vCPUs freed.
    case suspend
    /// `xl restore` of a suspended guest, its save file removed once it runs.
    case resume
    /// Remove a save file that must never be restored (the guest runs, or is declared stopped).
    case removeSave = "remove-save"
    /// Snapshot, copy and record a domain's disks in its backup pool.
    case backup
    /// Fill volumes from a backup.
    case restoreVolume = "restore-volume"

    /// `+` creates, `~` changes in place, `→` moves, `-` removes.
    public var symbol: String {
        switch self {
        case .createBridge, .createVolume, .create, .start, .resume, .backup, .restoreVolume: return "+"
        case .growVolume, .setMemory, .setVcpus, .setScheduler, .attachDisk, .detachDisk, .attachNic, .detachNic,
            .restart, .writeConfig, .recoverMigration, .bridgeFile:
            return "~"
        case .migrate, .move: return "→"
        case .stop, .destroy, .removeVolume, .removeStaleConfig, .suspend, .removeSave: return "-"
        }
    }

    /// The one word plan text, drift and apply progress use for the kind.
    public var word: String {
        switch self {
        case .createBridge: return "bridge"
        case .bridgeFile: return "ifupdown"
        case .createVolume: return "volume"
        case .growVolume: return "grow"
        case .create: return "create"
        case .start: return "start"
        case .setMemory: return "memory"
        case .setVcpus: return "vcpus"
        case .setScheduler: return "sched"
        case .attachDisk, .attachNic: return "attach"
        case .detachDisk, .detachNic: return "detach"
        case .migrate: return "migrate"
        case .move: return "move"
        case .restart: return "restart"
        case .stop: return "stop"
        case .destroy: return "destroy"
        case .removeVolume: return "rm-volume"
        case .writeConfig: return "config"
        case .recoverMigration: return "recover"
        case .removeStaleConfig: return "rm-config"
        case .suspend: return "suspend"
        case .resume: return "resume"
        case .removeSave: return "rm-save"
        case .backup: return "backup"
        case .restoreVolume: return "restore"
        }
    }
}
