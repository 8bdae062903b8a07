/// The kinds of difference `xenplan drift` reports (docs/drift.md).
public enum DriftClass: String, Codable, Hashable, Sendable, CaseIterable {
    /// Someone changed a managed domain behind xenplan's back (`xl mem-set`, …): the
    /// domain differs from the configuration xenplan last wrote for it.
    case changedOutOfBand = "changed-out-of-band"
    /// A declared domain is not running: crashed, shut down, or never created.
    case missing
    /// A domain nobody declared and xenplan did not create.
    case unmanaged
    /// Declared, but applicable only with a reboot the domain does not allow.
    case pendingRestart = "pending-restart"
    /// A volume no declared disk uses.
    case orphanVolume = "orphan-volume"
    /// The manifests changed and the change was not applied yet (the plan has actions).
    case notApplied = "not-applied"
}
