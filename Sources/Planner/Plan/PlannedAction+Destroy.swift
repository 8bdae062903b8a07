/// What `--allow-destroy` (or the interactive question) gates.
extension PlannedAction {
    /// A destroy, or the removal of the save file that holds a suspended guest's memory
    /// (declared stopped): either loses a guest's running state for good.
    public var discardsGuest: Bool { kind == .destroy || (kind == .removeSave && disruption >= .destroy) }
}
