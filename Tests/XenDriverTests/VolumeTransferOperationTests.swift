import Foundation
import HostModel
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import XenDriver

/// A cold move's copies: the target makes `NAME_partial`, the source sends its volume into
/// it over the root ssh `xl migrate` uses (ssh reading the volume itself as its stdin,
/// no shell here, only checked words there) and compares both checksums, the target
/// names it. Nothing is written over a volume, and a mismatch leaves the copy unnamed.
@Suite struct VolumeTransferOperationTests {
    static let digest = "3f2a6f5a0c1a9a8e7b1c3d5e7f90a1b2c3d4e5f60718293a4b5c6d7e8f901234"
    static let other = String(repeating: "0", count: 64)
    /// `lvs` reports vg18/web-root_partial of `kib` KiB, as an earlier step left it.
    static func partialVolume(of h: DriverHarness, kib: Int) {
        h.runner.respond(
            to: ["lvs"],
            with: CommandResult(
                status: 0,
                stdout: #"{"report":[{"lv":[{"lv_name":"web-root_partial","vg_name":"vg18","lv_size":""# + "\(kib).00" + #"","lv_tags":""}]}]}"#))
    }

    static let lvs = ["lvs", "--reportformat", "json", "--units", "k", "--nosuffix", "-o", "lv_name,vg_name,lv_size,lv_tags", "vg18"]
    static let ssh = ["ssh", "-o", "BatchMode=yes", "--", "cpt76"]
    /// `old-test` is dying on cpt18's recorded hypervisor (as good as gone); its volume is 4 GiB.
    static let transfer = VolumeTransfer(
        domain: "old-test", container: "vg18", name: "old-test-root", size: .gib(4), toHost: "cpt76", toContainer: "vg76",
        toName: "old-test-root")

    /// A harness whose tools answer as two dom0s holding `bytes` each and these digests.
    static func harness(
        here: String = digest, there: String = digest, bytes: String = "4294967296", thereBytes: String? = nil
    ) throws
        -> DriverHarness
    {
        let h = try DriverHarness()
        h.runner.respond(to: ["blockdev"], with: CommandResult(status: 0, stdout: bytes + "\n"))
        h.runner.respond(to: ssh + ["blockdev"], with: CommandResult(status: 0, stdout: (thereBytes ?? bytes) + "\n"))
        h.runner.respond(to: ["sha256sum"], with: CommandResult(status: 0, stdout: "\(here)  /dev/vg18/old-test-root\n"))
        h.runner.respond(to: ssh + ["sha256sum"], with: CommandResult(status: 0, stdout: "\(there)  /dev/vg76/old-test-root_partial\n"))
        return h
    }

    func failure(_ operation: HostOperation, on h: DriverHarness) async -> HostError? {
        do {
            try await h.driver.perform(operation)
            return nil
        } catch {
            return error as? HostError
        }
    }

    @Test func aVolumeIsSentOverSshAndBothChecksumsCompared() async throws {
        let h = try Self.harness()
        defer { h.cleanup() }
        try await h.driver.perform(.sendVolume(Self.transfer))
        #expect(
            h.runner.commands == [
                ["blockdev", "--getsize64", "/dev/vg18/old-test-root"],
                Self.ssh + ["blockdev", "--getsize64", "/dev/vg76/old-test-root_partial"],
                ["sha256sum", "--", "/dev/vg18/old-test-root"],
                Self.ssh + ["dd", "of=/dev/vg76/old-test-root_partial", "bs=4M", "conv=fsync", "status=none"],
                Self.ssh + ["sha256sum", "--", "/dev/vg76/old-test-root_partial"],
            ])
        let copy = h.runner.invocations[3]
        #expect(copy.stdinFile == "/dev/vg18/old-test-root")
        #expect(copy.stdin == nil)
        #expect(h.runner.invocations[2...4].allSatisfy { $0.timeout == DriverHarness.deadlines.copyImage })
    }

    @Test func aCopyWhoseChecksumDiffersIsLeftUnnamed() async throws {
        let h = try Self.harness(there: Self.other)
        defer { h.cleanup() }
        let error = await failure(.sendVolume(Self.transfer), on: h)
        #expect(
            error?.description
                == "host cpt18: send-volume of domain old-test failed: /dev/vg76/old-test-root_partial on cpt76 has sha256 \(Self.other) after the copy, /dev/vg18/old-test-root here \(Self.digest); it is not named, the next plan removes it"
        )
    }

    @Test func aCopyMadeEarlierIsOnlyChecked() async throws {
        let h = try Self.harness()
        defer { h.cleanup() }
        var checked = Self.transfer
        checked.alreadyCopied = true
        try await h.driver.perform(.sendVolume(checked))
        #expect(
            h.runner.commands == [
                ["blockdev", "--getsize64", "/dev/vg18/old-test-root"],
                Self.ssh + ["blockdev", "--getsize64", "/dev/vg76/old-test-root"],
                ["sha256sum", "--", "/dev/vg18/old-test-root"],
                Self.ssh + ["sha256sum", "--", "/dev/vg76/old-test-root"],
            ])
    }

    @Test func aGuestStillOnTheHostIsNotCopied() async throws {
        let h = try Self.harness()
        defer { h.cleanup() }
        var running = Self.transfer
        running.domain = "ldap"
        running.container = "san"
        running.name = "ldap-root"
        let error = await failure(.sendVolume(running), on: h)
        #expect(error?.message == "ldap is still on cpt18: its volume san/ldap-root is not copied while it may be written")
        #expect(h.runner.commands.isEmpty)
    }

    @Test func sizesThatDifferStopTheCopyBeforeItStarts() async throws {
        let h = try Self.harness(thereBytes: "4299161600")
        defer { h.cleanup() }
        let error = await failure(.sendVolume(Self.transfer), on: h)
        #expect(
            error?.message
                == "/dev/vg76/old-test-root_partial on cpt76 is 4299161600 bytes, /dev/vg18/old-test-root here 4294967296: the copy would not be whole"
        )
        #expect(h.runner.commands.count == 2)
    }

    @Test(arguments: ["-oProxyCommand=sh", "cpt76 rm", ""]) func aTargetThatIsNoHostNameIsRefused(_ host: String) async throws {
        let h = try Self.harness()
        defer { h.cleanup() }
        var bad = Self.transfer
        bad.toHost = host
        let error = await failure(.sendVolume(bad), on: h)
        #expect(error?.message == "migration target \(shownValue(host)) is not a host name")
        #expect(h.runner.commands.isEmpty)
    }

    @Test func aWordTheRemoteShellWouldReadIsNeverSent() {
        #expect(throws: XlConfigError.self) { try XenCommands.onPeer("cpt76", ["dd", "of=/dev/vg76/x;reboot"]) }
        #expect(throws: XlConfigError.self) { try XenCommands.onPeer("cpt76", ["sha256sum", "$(id)"]) }
        #expect(throws: XlConfigError.self) { try XenCommands.onPeer("cpt76", [""]) }
    }

    @Test func theReceivingSideMakesAnUntaggedPartialVolume() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        try await h.driver.perform(.receiveVolume(container: "vg18", name: "web-root", size: .gib(4)))
        #expect(h.runner.commands == [Self.lvs, ["lvcreate", "-y", "--wipesignatures", "y", "-L", "4194304k", "-n", "web-root_partial", "vg18"]])
    }

    @Test func aLeftoverPartialVolumeIsReplacedAndAnExistingVolumeNeverWritten() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        Self.partialVolume(of: h, kib: 1_048_576)
        try await h.driver.perform(.receiveVolume(container: "vg18", name: "web-root", size: .gib(4)))
        #expect(
            h.runner.commands == [
                Self.lvs, ["lvremove", "-f", "vg18/web-root_partial"],
                ["lvcreate", "-y", "--wipesignatures", "y", "-L", "4194304k", "-n", "web-root_partial", "vg18"],
            ])
        let error = await failure(.receiveVolume(container: "vg18", name: "www-root", size: .gib(4)), on: try DriverHarness())
        #expect(error?.message == "volume vg18/www-root already exists: a copy never writes over a volume")
    }

    @Test func aCheckedCopyTakesItsNameAndTheTag() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        Self.partialVolume(of: h, kib: 4_194_304)
        try await h.driver.perform(.commitVolume(container: "vg18", name: "web-root"))
        #expect(
            h.runner.commands == [
                Self.lvs, ["lvrename", "vg18", "web-root_partial", "web-root"], ["lvchange", "--addtag", "xenplan", "vg18/web-root"],
            ])
        let missing = await failure(.commitVolume(container: "vg18", name: "ns9-root"), on: h)
        #expect(missing?.message == "volume vg18/ns9-root_partial is not there: nothing was copied to name ns9-root")
    }
}
