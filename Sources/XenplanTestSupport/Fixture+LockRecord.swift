import HostModel

extension Fixture {
    /// The boot, machine and PID namespace every `lockRecord` is taken in unless told
    /// otherwise: records of one machine in one boot, which a judge of that boot can rule on.
    public static let lockBootID = "0b5e1d6a-3f1c-4c3e-9a57-6c1f0e2d9b11"
    public static let lockMachineID = "5f0c2a8e9d3b4c7a8e1f2a3b4c5d6e7f"
    public static let lockPidNamespace: UInt64 = 4_026_531_836

    /// The record of `xenplan apply` run by root on `machine` at 2026-12-01T10:00:00Z, with
    /// every identifying field unless one is given as nil.
    public static func lockRecord(
        _ pid: Int32, machine: String = "box", run: String = "r1", boot: String? = lockBootID,
        machineID: String? = lockMachineID, namespace: UInt64? = lockPidNamespace,
        start: UInt64? = 1000
    ) -> LockRecord {
        LockRecord(
            user: "root", machine: machine, pid: pid, time: "2026-12-01T10:00:00Z", command: "xenplan apply", runID: run,
            bootID: boot, machineID: machineID, pidNamespace: namespace, startTime: start)
    }
}
