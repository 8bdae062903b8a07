import Foundation
import Testing

/// Failures, interruptions and concurrent applies: whatever happens, plan shows what is
/// left and apply converges, with no domain lost or duplicated and no volume removed.
@Suite struct ApplyRecoveryTests {
    /// Every host operation the example apply performs, as `sim fail HOST KIND` names it.
    static let injectedFailures: [(host: String, kind: String, times: Int)] = [
        ("cpt18", "shutdown", 1), ("cpt18", "remove-config", 1), ("cpt18", "write-config", 1),
        ("cpt18", "write-config", 3), ("cpt18", "copy-image", 1), ("cpt18", "write-seed", 1), ("cpt18", "migrate", 1),
        ("cpt18", "mem-set", 1), ("cpt18", "vcpu-set", 1), ("cpt18", "create", 1), ("cpt76", "copy-image", 1),
        ("cpt76", "write-seed", 1), ("cpt76", "write-config", 1), ("cpt76", "write-config", 2), ("cpt76", "create", 1),
    ]

    @Test(arguments: injectedFailures.indices)
    func aFailureAnywhereConvergesOnTheNextApply(index: Int) throws {
        let (host, kind, times) = Self.injectedFailures[index]
        let lab = try ApplyLab()
        defer { lab.remove() }
        let before = try lab.snapshots()
        #expect(try lab.run(["sim", "fail", host, kind, "--times", "\(times)"]).status == 0)

        let failed = try lab.apply()
        #expect(failed.status == 1, "\(failed.stdout)")
        #expect(failed.stdout.contains("Apply failed after "))
        #expect(failed.stdout.contains("Failed:\n"))
        #expect(failed.stdout.contains("\(kind): simulated failure of \(kind)"))
        #expect(try lab.planStatus() == 2)
        let partial = try lab.snapshots()
        Self.expectNothingLostOrDuplicated(partial, before: before)

        let again = try lab.apply()
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        #expect(try lab.planStatus() == 0)
        let after = try lab.snapshots()
        #expect(after["cpt18"]?.domains == ConvergedLab.cpt18Domains)
        #expect(after["cpt76"]?.domains == ConvergedLab.cpt76Domains)
        Self.expectNothingLostOrDuplicated(after, before: before)
    }

    /// The migration succeeded but removing its configuration from the source failed:
    /// the source must not keep a configuration (and an autostart link) for a domain
    /// that now runs on the other host.
    @Test func aMigratedDomainKeepsNoConfigurationOnItsOldHost() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        // The first remove-config is old-test's destroy, the second git's migration.
        #expect(try lab.run(["sim", "fail", "cpt18", "remove-config", "--times", "2"]).status == 0)
        #expect(try lab.apply().status == 1)
        #expect(try lab.apply().status == 0)
        #expect(try lab.planStatus() == 0)
        let after = try lab.snapshots()
        #expect(after["cpt76"]?.configs.contains("git") == true)
        #expect(after["cpt18"]?.configs.contains("git") == false)
    }

    static func expectNothingLostOrDuplicated(
        _ now: [String: ApplyLab.Snapshot], before: [String: ApplyLab.Snapshot],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let names = now["cpt18"]!.domains + now["cpt76"]!.domains
        let all = names.filter { !$0.contains("--") }
        #expect(Set(all).count == all.count, "a domain runs twice: \(all)", sourceLocation: sourceLocation)
        // A domain cut mid-migration lives on as name--migratedaway and name--incoming:
        // not lost, and recovered by the next apply.
        let present = Set(names.map { $0.components(separatedBy: "--")[0] })
        let previously = Set(before["cpt18"]!.domains + before["cpt76"]!.domains).subtracting(["old-test"])
        #expect(present.isSuperset(of: previously), "a domain was lost: \(names)", sourceLocation: sourceLocation)
        for host in ["cpt18", "cpt76"] {
            #expect(
                now[host]!.volumes.isSuperset(of: before[host]!.volumes), "a volume was removed on \(host)",
                sourceLocation: sourceLocation)
        }
    }

    @Test func twoAppliesAtOnceExactlyOneProceedsTheOtherNamesTheHolder() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        #expect(try lab.run(["sim", "xl", "cpt18", "set-latency", "create", "2"]).status == 0)
        let first = try lab.launch(["apply", "examples/lab", "--auto-approve", "--allow-destroy"], environment: ["XENPLAN_SIM_SPEED": "1"])
        let lockFile = lab.state.appendingPathComponent("cpt76.apply.lock").path
        #expect(lab.wait(upTo: 60) { FileManager.default.fileExists(atPath: lockFile) })

        let second = try lab.apply()
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(second.status == 1)
        let user = ProcessInfo.processInfo.environment["USER"] ?? "root"
        let pattern =
            #"^error: host cpt(18|76) is locked by \#(user)@\S+ pid \#(first.processIdentifier) since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(xenplan apply\); wait for it \(`--lock-timeout SECONDS`\) or run `xenplan unlock cpt(18|76) examples/lab --state-dir \S+`\n$"#
        #expect(second.stderr.range(of: pattern, options: .regularExpression) != nil, "\(second.stderr)")
        // The second changed nothing and journaled nothing: one run only.
        #expect(Set(lab.journal().compactMap { $0["run"] as? String }).count == 1)
        #expect(try lab.planStatus() == 0)
    }

    @Test func unlockRemovesALockLeftByAnotherMachine() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let record = #"{"command":"xenplan apply","machine":"elsewhere","pid":4242,"runID":"r","time":"2026-12-01T10:00:00Z","user":"root"}"#
        try record.write(to: lab.state.appendingPathComponent("cpt18.apply.lock"), atomically: true, encoding: .utf8)
        let refused = try lab.apply()
        #expect(refused.status == 1)
        #expect(
            refused.stderr
                == "error: host cpt18 is locked by root@elsewhere pid 4242 since 2026-12-01T10:00:00Z (xenplan apply); wait for it (`--lock-timeout SECONDS`) or run `xenplan unlock cpt18 examples/lab --state-dir \(lab.state.path)`\n"
        )
        let unlock = try lab.run(["unlock", "cpt18", "examples/lab"])
        #expect(unlock.status == 0)
        #expect(
            unlock.stdout == """
                host cpt18: removed the lock of root@elsewhere pid 4242 since 2026-12-01T10:00:00Z (xenplan apply).
                  user          root
                  machine       elsewhere
                  pid           4242
                  time          2026-12-01T10:00:00Z
                  command       xenplan apply
                  run           r
                  boot id       not recorded (an older xenplan)
                  machine id    not recorded (an older xenplan)
                  PID namespace not recorded (an older xenplan)
                  start time    not recorded (an older xenplan)

                """)
        #expect(try lab.run(["unlock", "cpt18"]).stdout == "host cpt18 was not locked.\n")
        #expect(try lab.apply().status == 0)
    }

    @Test func aLockLeftByADeadProcessOnThisMachineIsTakenOverWithAWarning() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, 255)
        let machine = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // This boot and PID namespace, and a pid above the kernel's pid_max: provably gone.
        let boot = try String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var namespace = stat()
        #expect(stat("/proc/self/ns/pid", &namespace) == 0)
        let record =
            #"{"bootID":"\#(boot)","command":"xenplan apply","machine":"\#(machine)","pid":2147483600,"pidNamespace":\#(namespace.st_ino),"runID":"r","startTime":1,"time":"2026-12-01T10:00:00Z","user":"root"}"#
        try record.write(to: lab.state.appendingPathComponent("cpt76.apply.lock"), atomically: true, encoding: .utf8)
        let result = try lab.apply()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderr.contains(
                "warning: host cpt76 was locked by root@\(machine) pid 2147483600 since 2026-12-01T10:00:00Z (xenplan apply), which no longer runs (process 2147483600 no longer exists); the lock is taken over."
            ))
    }

    /// kill -9 in the middle of an apply with latencies on; the journal tells the next
    /// apply what was cut short, and plan + apply converge.
    @Test func killedDuringAnApplyThenPlanAndApplyConverge() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let before = try lab.snapshots()
        for (host, kind, seconds) in [
            ("cpt18", "create", "3"), ("cpt76", "create", "3"), ("cpt18", "vcpu-set", "0.5"),
            ("cpt18", "migrate", "0.3"),
        ] {
            #expect(try lab.run(["sim", "xl", host, "set-latency", kind, seconds]).status == 0)
        }
        let process = try lab.launch(["apply", "examples/lab", "--auto-approve", "--allow-destroy"], environment: ["XENPLAN_SIM_SPEED": "1"])
        // Kill once both creates have started and the migration is done, so the cut
        // leaves exactly the two creates behind.
        #expect(
            lab.wait(upTo: 60) {
                let journal = lab.journal()
                return journal.filter { $0["event"] as? String == "started" && $0["kind"] as? String == "create" }.count == 2
                    && journal.contains { $0["event"] as? String == "done" && $0["kind"] as? String == "migrate" }
            })
        usleep(300_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(lab.journal().last?["event"] as? String != "run-ended")

        // Their configurations were written before `xl create` was cut: left to start.
        let plan = try lab.run(["plan", "examples/lab"])
        #expect(plan.stdout.contains("+ start     teach3    2 vCPUs, 1 GiB from its configuration  [none]"))
        #expect(plan.stdout.contains("+ start     conf-web  1 vCPU, 512 MiB from its configuration  [none]"))
        Self.expectNothingLostOrDuplicated(try lab.snapshots(), before: before)

        let again = try lab.apply()
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("warning: an earlier apply (run "))
        #expect(again.stderr.contains("did not finish; it had started: "))
        #expect(try lab.planStatus() == 0)
        Self.expectNothingLostOrDuplicated(try lab.snapshots(), before: before)
    }

    /// kill -9 while `xl migrate` copies the domain: `git--migratedaway` stays on cpt18
    /// and `git--incoming` on cpt76.
    @Test func killedDuringAMigrationThenPlanAndApplyConverge() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        #expect(try lab.run(["sim", "xl", "cpt18", "set-latency", "migrate", "5"]).status == 0)
        let process = try lab.launch(["apply", "examples/lab", "--auto-approve", "--allow-destroy"], environment: ["XENPLAN_SIM_SPEED": "1"])
        #expect(lab.wait(upTo: 60) { lab.journal().contains { $0["event"] as? String == "started" && $0["kind"] as? String == "migrate" } })
        usleep(500_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let cut = try lab.snapshots()
        #expect(cut["cpt18"]?.domains.contains("git--migratedaway") == true)
        #expect(cut["cpt76"]?.domains.contains("git--incoming") == true)

        let recovery = try lab.apply()
        #expect(recovery.status == 0, "\(recovery.stdout)\n\(recovery.stderr)")
        #expect(try lab.planStatus() == 0)
        let after = try lab.snapshots()
        #expect(after["cpt76"]?.domains.contains("git") == true)
        #expect(after["cpt18"]?.domains.contains { $0.hasPrefix("git") } == false)
        #expect(after["cpt76"]?.configs.contains("git") == true)
        #expect(after["cpt18"]?.configs.contains("git") == false)
    }
}
