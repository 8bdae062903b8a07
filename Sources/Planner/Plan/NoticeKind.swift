/// What a notice is about.
public enum NoticeKind: String, Codable, Hashable, Sendable, CaseIterable {
    /// A change that needs a reboot the domain does not allow.
    case pendingRestart = "pending-restart"
    /// A domain nobody declared and xenplan did not create: left alone.
    case unmanaged
    /// A volume no declared disk uses; removing it needs `--allow-data-loss`.
    case orphanVolume = "orphan-volume"
    /// A managed domain no longer declared but marked `protect`.
    case protected
    /// A declared host change that cannot be carried out live; says which condition fails.
    case migrationBlocked = "migration-blocked"
    /// A volume declared smaller than it is: never shrunk.
    case shrinkRefused = "shrink-refused"
    /// An action left out because of `--max-disruption` (added by the executor/CLI).
    case excluded
    /// A domain that cannot be placed or a constraint the plan cannot satisfy.
    case unplaceable
    /// A domain in the middle of a migration or being torn down: left until it settles.
    case inTransition = "in-transition"
    /// A declared domain that may be running on a host that was not observed
    /// (`--skip-unreachable`): not created, started or moved, so that it never runs twice.
    case unknown
    /// The manifest file that declared domains the plan would destroy no longer exists.
    case manifestGone = "manifest-gone"
    /// A declared guest not started because another running guest uses one of its disks.
    case diskInUse = "disk-in-use"
    /// A first-boot setting (hostname, addresses, keys, password) declared differently
    /// from what the guest was created with: not applied (`identityChanges: first-boot`).
    case firstBoot = "first-boot"
    /// A guest declared suspended that does not run and has no save file on any host: it
    /// is simply stopped; its memory state is lost.
    case saveMissing = "save-missing"
    /// A guest declared suspended that runs while its save file exists: restored outside
    /// xenplan; suspended again, the stale file replaced.
    case restoredOutside = "restored-outside"
    /// A `….save.partial` file: a save that did not finish; never restored, never removed.
    case interruptedSave = "interrupted-save"
    /// What a backup or restore plan reports: a disk that is not backed up, a backed-up
    /// configuration that differs from the manifests.
    case backup
    /// A declared bridge that would not come back after a reboot (ifupdown or bridge-utils
    /// missing), or whose port is not the declared one (interface, VLAN): not changed.
    case bridge
}
