import Foundation
import Testing

@testable import XenDriver

/// The test xenstored must be faithful for the driver's tests to mean anything: Debian's
/// own xenstore-utils, built on the same libxenstore, must read and write it.
@Suite struct XenstoreServerTests {
    /// Runs a xenstore-utils program against `server` (argument vector, no shell).
    static func xenstoreTool(_ argv: [String], server: TestXenstored) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/" + argv[0])
        process.arguments = Array(argv.dropFirst())
        var env = ProcessInfo.processInfo.environment
        env["XENSTORED_PATH"] = server.socketPath
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    static var haveTools: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/xenstore-ls") }

    @Test(.enabled(if: haveTools, "needs xenstore-utils (scripts/setup.sh installs it)"))
    func xenstoreLsReadsTheWholeTree() throws {
        let (server, _) = try XenstoreHarness.cpt18()
        defer { server.stop() }
        let result = try Self.xenstoreTool(["xenstore-ls", "-f"], server: server)
        #expect(result.status == 0, "\(result.err)")
        let expected = try Fixtures.text("xenstore/cpt18.tree")
        #expect(result.out == expected, "xenstore-ls -f differs from the fixture")
    }

    @Test(.enabled(if: haveTools, "needs xenstore-utils (scripts/setup.sh installs it)"))
    func xenstoreWriteIsSeenByLibxenstore() throws {
        let (server, store) = try XenstoreHarness.cpt18()
        defer { server.stop() }
        let result = try Self.xenstoreTool(["xenstore-write", "/local/domain/1/memory/target", "393216"], server: server)
        #expect(result.status == 0, "\(result.err)")
        #expect(try store.read("/local/domain/1/memory/target") == "393216")
        let read = try Self.xenstoreTool(["xenstore-read", "/local/domain/2/name"], server: server)
        #expect(read.out == "ldap\n")
        let missing = try Self.xenstoreTool(["xenstore-read", "/local/domain/77/name"], server: server)
        #expect(missing.status != 0)
    }

    @Test func libxenstoreReadsDirectoriesAndMissingNodes() throws {
        let (server, store) = try XenstoreHarness.cpt18()
        defer { server.stop() }
        #expect(try store.directory("/local/domain") == ["0", "1", "2", "4", "6", "9"])
        #expect(try store.read("/local/domain/4/name") == "www--migratedaway")
        #expect(try store.read("/local/domain/4/no-such-key") == nil)
        #expect(try store.directory("/local/domain/11") == nil)
        #expect(try store.domainPath(6) == "/local/domain/6")
    }

    @Test func writesInsideATransactionAreCommittedAtItsEnd() throws {
        let (server, store) = try XenstoreHarness.cpt18()
        defer { server.stop() }
        try store.withTransaction(readOnly: false) { t in
            try store.write("/local/domain/1/cpu/1/availability", "online", in: t)
            #expect(server.snapshot.read("/local/domain/1/cpu/1/availability") == Array("offline".utf8))
        }
        #expect(server.snapshot.read("/local/domain/1/cpu/1/availability") == Array("online".utf8))
    }

    @Test func aConflictingTransactionIsRetried() throws {
        let (server, store) = try XenstoreHarness.cpt18()
        defer { server.stop() }
        var attempts = 0
        try store.withTransaction(readOnly: false) { t in
            attempts += 1
            try store.write("/local/domain/2/memory/target", "262144", in: t)
            // Someone else commits meanwhile, the first time only: xenstored answers EAGAIN.
            if attempts == 1 { try store.write("/local/domain/2/data/x", "1") }
        }
        #expect(attempts == 2)
        #expect(try store.read("/local/domain/2/memory/target") == "262144")
    }

    @Test func snapshotReadsEveryDomainUnderOneTransaction() throws {
        let (server, store) = try XenstoreHarness.cpt18()
        defer { server.stop() }
        let domains = try XenStoreSnapshot.read(store)
        #expect(domains.keys.sorted() == [0, 1, 2, 4, 6, 9])
        let ns1 = try #require(domains[1])
        #expect(ns1.name == "ns1")
        #expect(ns1.memoryTargetKiB == 262_144)
        #expect(ns1.staticMaxKiB == 524_288)
        #expect(ns1.type == "pv")
        #expect(ns1.disks.map(\.vdev) == ["xvda1", "xvda2"])  // devid order: 51713, 51714
        #expect(ns1.disks.map(\.target) == ["/dev/san/ns1-swap", "/dev/san/ns1-root"])
        #expect(ns1.nics == [VifBackend(devid: 0, bridge: "xenbr0", mac: "00:16:3e:78:20:10", ip: "139.124.7.10")])
        let tmpbox = try #require(domains[6])
        #expect(tmpbox.disks.map(\.mode) == ["w", "r"])
        #expect(tmpbox.nics.first?.ip == nil)
        #expect(domains[0]?.name == "Domain-0")
        // One transaction, nothing outside it but its start and end.
        let log = server.requestLog
        let reads = log.filter { $0.type == TestXenstored.MessageType.read.rawValue || $0.type == TestXenstored.MessageType.directory.rawValue }
        #expect(!reads.isEmpty && reads.allSatisfy { $0.tx != 0 })
        #expect(log.filter { $0.type == TestXenstored.MessageType.transactionStart.rawValue }.count == 1)
        // Each read a round trip: only what observation uses. No domain is an HVM container
        // here, so libxl's type is read for none; `vm` and the vCPU availability never.
        let paths = reads.map(\.path)
        #expect(!paths.contains { $0.hasPrefix("/libxl/") || $0.hasSuffix("/vm") || $0.contains("/cpu") })
        // The listing of /local/domain; per domain name, target, static-max and the two
        // backend listings (6 × 5); dev, params, mode per disk (9 × 3); bridge, mac, ip per
        // nic (5 × 3).
        #expect(reads.count == 1 + 6 * 5 + 9 * 3 + 5 * 3, "\(paths)")
    }

    @Test func theTypeIsReadForHVMContainersOnly() throws {
        let (server, store) = try XenstoreHarness.cpt18()
        defer { server.stop() }
        let domains = try XenStoreSnapshot.read(store, hvmContainers: [4])
        let typeReads = server.requestLog.map(\.path).filter { $0.hasPrefix("/libxl/") }
        #expect(typeReads == ["/libxl/4/type"])
        #expect(domains[4]?.type == "pv")  // what this tree's libxl wrote
        #expect(domains[1]?.type == "pv")  // not an HVM container: PV without asking
    }
}
