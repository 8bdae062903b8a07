import Foundation
import HostModel
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import XenDriver

/// The pipelined snapshot (`XenStoreWire`) against the test xenstored: the same result,
/// the same reads under one transaction as the libxenstore path, in four round trips;
/// and against a scripted one, every way the exchange can fail.
@Suite struct XenStoreWireTests {
    typealias MessageType = TestXenstored.MessageType

    /// cpt18's xenstore as observation must see it, domain 4 flagged as an HVM container.
    static let cpt18: [Int: XenStoreDomain] = [
        0: XenStoreDomain(
            domid: 0, name: "Domain-0", memoryTargetKiB: 4_194_304, staticMaxKiB: 4_294_967_292, type: "pv",
            disks: [], nics: []),
        1: XenStoreDomain(
            domid: 1, name: "ns1", memoryTargetKiB: 262_144, staticMaxKiB: 524_288, type: "pv",
            disks: [
                VbdBackend(devid: 51713, vdev: "xvda1", target: "/dev/san/ns1-swap", mode: "w"),
                VbdBackend(devid: 51714, vdev: "xvda2", target: "/dev/san/ns1-root", mode: "w"),
            ],
            nics: [VifBackend(devid: 0, bridge: "xenbr0", mac: "00:16:3e:78:20:10", ip: "139.124.7.10")]),
        2: XenStoreDomain(
            domid: 2, name: "ldap", memoryTargetKiB: 524_288, staticMaxKiB: 1_048_576, type: "pv",
            disks: [
                VbdBackend(devid: 51713, vdev: "xvda1", target: "/dev/san/ldap-swap", mode: "w"),
                VbdBackend(devid: 51714, vdev: "xvda2", target: "/dev/san/ldap-root", mode: "w"),
            ],
            nics: [VifBackend(devid: 0, bridge: "xenbr0", mac: "00:16:3e:78:20:12", ip: "139.124.7.12")]),
        4: XenStoreDomain(
            domid: 4, name: "www--migratedaway", memoryTargetKiB: 1_048_576, staticMaxKiB: 2_097_152, type: "pv",
            disks: [
                VbdBackend(devid: 51713, vdev: "xvda1", target: "/dev/vg18/www-swap", mode: "w"),
                VbdBackend(devid: 51714, vdev: "xvda2", target: "/dev/vg18/www-root", mode: "w"),
            ],
            nics: [VifBackend(devid: 0, bridge: "xenbr0", mac: "00:16:3e:78:20:20", ip: "139.124.7.20")]),
        6: XenStoreDomain(
            domid: 6, name: "tmpbox", memoryTargetKiB: 131_072, staticMaxKiB: 131_072, type: "pv",
            disks: [
                VbdBackend(devid: 51712, vdev: "xvda", target: "/srv/xen-images/tmpbox.img", mode: "w"),
                VbdBackend(devid: 51728, vdev: "xvdb", target: "/srv/xen-images/debian-12.iso", mode: "r"),
            ],
            nics: [VifBackend(devid: 0, bridge: "xenbr0", mac: "00:16:3e:5a:01:02", ip: nil)]),
        9: XenStoreDomain(
            domid: 9, name: "old-test", memoryTargetKiB: 262_144, staticMaxKiB: 262_144, type: "pv",
            disks: [VbdBackend(devid: 51714, vdev: "xvda2", target: "/dev/vg18/old-test-root", mode: "w")],
            nics: [VifBackend(devid: 0, bridge: "xenbr0", mac: "00:16:3e:78:20:99", ip: "139.124.7.199")]),
    ]

    static let domids = [0, 1, 2, 4, 6, 9]

    /// The second batch: per domain name, target, static-max, the type for HVM
    /// containers, the two backend listings.
    static func domainPaths(hvmContainers: Set<Int>) -> [String] {
        domids.flatMap { id -> [String] in
            ["/local/domain/\(id)/name", "/local/domain/\(id)/memory/target", "/local/domain/\(id)/memory/static-max"]
                + (hvmContainers.contains(id) ? ["/libxl/\(id)/type"] : [])
                + ["/local/domain/0/backend/vbd/\(id)", "/local/domain/0/backend/vif/\(id)"]
        }
    }

    static func isRead(_ type: UInt32) -> Bool { type == MessageType.read.rawValue || type == MessageType.directory.rawValue }

    @Test func thePipelinedSnapshotIsTheLibxenstoreSnapshot() throws {
        let (server, store) = try XenstoreHarness.cpt18()
        defer { server.stop() }
        let viaLibrary = try XenStoreSnapshot.read(store, hvmContainers: [4])
        let viaWire = try XenStoreSnapshot.read(XenStoreWire(path: server.socketPath), hvmContainers: [4])
        #expect(viaLibrary == Self.cpt18)
        #expect(viaWire == Self.cpt18)
        // Without HVM containers no type is read: PV for all, on both paths.
        #expect(try XenStoreSnapshot.read(XenStoreWire(path: server.socketPath)) == XenStoreSnapshot.read(store))
    }

    @Test func theSameReadsUnderOneTransactionInFourRoundTrips() throws {
        let (server, store) = try XenstoreHarness.cpt18()
        defer { server.stop() }
        _ = try XenStoreSnapshot.read(store, hvmContainers: [4])
        let libraryLog = server.requestLog
        let wire = try XenStoreWire(path: server.socketPath)
        _ = try XenStoreSnapshot.read(wire, hvmContainers: [4])
        let log = Array(server.requestLog.dropFirst(libraryLog.count))

        // Start; the listing; 6 domains × (name, target, static-max, 2 listings) + www's
        // type; 9 disks × 3 + 5 nics × 3 with the abort in the same write.
        #expect(wire.batchSizes == [1, 1, 6 * 5 + 1, 9 * 3 + 5 * 3 + 1])
        #expect(log.count == 1 + 1 + 31 + 43)
        #expect(log.first.map { [$0.type, $0.tx] } == [MessageType.transactionStart.rawValue, 0])
        let tx = log[1].tx
        #expect(tx != 0)
        #expect(log.last.map { [$0.type, $0.tx] } == [MessageType.transactionEnd.rawValue, tx])
        #expect(log.last?.path == "F")  // aborted: a read-only pass commits nothing
        let reads = log.dropFirst().dropLast()
        #expect(reads.allSatisfy { Self.isRead($0.type) && $0.tx == tx })
        #expect(reads.count == 1 + 6 * 5 + 9 * 3 + 5 * 3 + 1)
        #expect(log[1].path == "/local/domain" && log[1].type == MessageType.directory.rawValue)
        #expect(log[2..<33].map(\.path) == Self.domainPaths(hvmContainers: [4]))
        let keys = ["dev", "params", "mode", "bridge", "mac", "ip"]
        #expect(log[33..<75].allSatisfy { $0.type == MessageType.read.rawValue && keys.contains(XenstoreTree.leaf(of: $0.path)) })
        #expect(
            log[33..<36].map(\.path) == [
                "/local/domain/0/backend/vbd/1/51713/dev", "/local/domain/0/backend/vbd/1/51713/params",
                "/local/domain/0/backend/vbd/1/51713/mode",
            ])
        // The same reads as libxenstore's, one round trip each there.
        let libraryReads = libraryLog.filter { Self.isRead($0.type) }
        #expect(reads.map(\.path).sorted() == libraryReads.map(\.path).sorted())
        #expect(libraryLog.filter { $0.type == MessageType.transactionStart.rawValue }.count == 1)
    }

    @Test func withoutHVMContainersTheReadsAreTheExistingTestsCount() throws {
        let (server, _) = try XenstoreHarness.cpt18()
        defer { server.stop() }
        let wire = try XenStoreWire(path: server.socketPath)
        _ = try XenStoreSnapshot.read(wire)
        let log = server.requestLog
        let reads = log.filter { Self.isRead($0.type) }
        #expect(reads.count == 1 + 6 * 5 + 9 * 3 + 5 * 3)
        #expect(!reads.map(\.path).contains { $0.hasPrefix("/libxl/") })
        #expect(log.filter { $0.type == MessageType.transactionStart.rawValue }.count == 1)
        #expect(wire.batchSizes == [1, 1, 30, 43])
    }

    @Test func absentNodesComeBackNil() throws {
        let (server, store) = try XenstoreHarness.cpt18()
        defer { server.stop() }
        let wire = try XenStoreWire(path: server.socketPath)
        let requests: [XenStoreWire.Request] = [
            .read("/local/domain/4/name", in: 0), .read("/local/domain/4/no-such-key", in: 0),
            .directory("/local/domain/11", in: 0), .directory("/local/domain", in: 0),
        ]
        let replies = try wire.batch(requests)
        #expect(
            replies == [
                .payload(Array("www--migratedaway".utf8)), .error("ENOENT"), .error("ENOENT"),
                .payload(Array("0\u{0}1\u{0}2\u{0}4\u{0}6\u{0}9\u{0}".utf8)),
            ])
        #expect(try XenStoreWire.value(of: replies[0], for: requests[0]) == "www--migratedaway")
        #expect(try XenStoreWire.value(of: replies[1], for: requests[1]) == nil)
        #expect(try XenStoreWire.names(of: replies[2], for: requests[2]) == nil)
        #expect(try XenStoreWire.names(of: replies[3], for: requests[3]) == ["0", "1", "2", "4", "6", "9"])

        // Keys missing from the tree: both paths give the same nils and defaults, and
        // skip the disk without `dev`.
        server.mutate(
            { tree in
                tree.remove("/local/domain/2/memory/target")
                tree.remove("/local/domain/0/backend/vbd/1/51713/dev")
                tree.remove("/local/domain/0/backend/vbd/6/51712/mode")
                tree.remove("/local/domain/0/backend/vif/1/0/ip")
                tree.remove("/local/domain/9")
            }, firing: [])
        let viaWire = try XenStoreSnapshot.read(XenStoreWire(path: server.socketPath), hvmContainers: [4])
        #expect(try viaWire == XenStoreSnapshot.read(store, hvmContainers: [4]))
        #expect(viaWire[2]?.memoryTargetKiB == nil)
        #expect(viaWire[1]?.disks == [VbdBackend(devid: 51714, vdev: "xvda2", target: "/dev/san/ns1-root", mode: "w")])
        #expect(viaWire[6]?.disks.first == VbdBackend(devid: 51712, vdev: "xvda", target: "/srv/xen-images/tmpbox.img", mode: "w"))
        #expect(viaWire[1]?.nics == [VifBackend(devid: 0, bridge: "xenbr0", mac: "00:16:3e:78:20:10", ip: nil)])
        // Gone from /local/domain, its backends still there: as libxenstore, not listed.
        #expect(viaWire.keys.sorted() == [0, 1, 2, 4, 6])
    }

    @Test func anErrorOtherThanENOENTNamesThePath() throws {
        let server = try ScriptedXenstored.cpt18 { $0.path == "/local/domain/2/memory/target" ? .error("EACCES") : .tree }
        defer { server.stop() }
        #expect(throws: XenStoreError(operation: "read", path: "/local/domain/2/memory/target", errno: EACCES)) {
            try XenStoreSnapshot.read(XenStoreWire(path: server.socketPath))
        }
        #expect(
            "\(XenStoreError(operation: "read", path: "/local/domain/2/memory/target", errno: EACCES))"
                == "xenstore read /local/domain/2/memory/target: Permission denied")
        // The transaction is still aborted, after the batch that failed.
        #expect(server.log.last.map { [$0.type, $0.tx] } == [MessageType.transactionEnd.rawValue, ScriptedXenstored.transaction])
        #expect(server.log.last?.path == "F")

        let other = try ScriptedXenstored.cpt18 { $0.path == "/local/domain/0/backend/vif/6/0/mac" ? .error("EQUOTA") : .tree }
        defer { other.stop() }
        #expect(throws: XenStoreWireError(path: "/local/domain/0/backend/vif/6/0/mac", message: "read answered EQUOTA")) {
            try XenStoreSnapshot.read(XenStoreWire(path: other.socketPath))
        }
    }

    @Test func aServerClosingMidBatchIsAnError() throws {
        // Requests 0 and 1: start and listing; 2…31 the domains' batch; closed on the
        // 11th request, having answered 8 of that batch.
        let server = try ScriptedXenstored.cpt18 { $0.index == 10 ? .close : .tree }
        defer { server.stop() }
        #expect(
            throws: XenStoreWireError(
                path: "/local/domain/0/backend/vbd/1",
                message: "xenstored closed the connection after 8 of 30 replies")
        ) {
            try XenStoreSnapshot.read(XenStoreWire(path: server.socketPath))
        }
        // Closed in the middle of a reply: 100 bytes announced, 8 sent.
        let half = try ScriptedXenstored.cpt18 { r in
            r.index == 3 ? .partial(type: 2, announced: 100, payload: Array("Domain-0".utf8)) : .tree
        }
        defer { half.stop() }
        #expect(
            throws: XenStoreWireError(
                path: "/local/domain/0/memory/target",
                message: "xenstored closed the connection in the middle of a reply after 1 of 30 replies")
        ) {
            try XenStoreSnapshot.read(XenStoreWire(path: half.socketPath))
        }
    }

    @Test func aDaemonThatStopsAnsweringTimesOut() throws {
        let server = try ScriptedXenstored.cpt18 { $0.index == 5 ? .silence : .tree }
        defer { server.stop() }
        let start = ContinuousClock.now
        #expect(
            throws: XenStoreWireError(
                path: "/local/domain/0/backend/vbd/0",
                message: "xenstored did not answer within 300 ms (3 of 30 replies)")
        ) {
            try XenStoreSnapshot.read(XenStoreWire(path: server.socketPath, timeout: .milliseconds(300)))
        }
        // The message names the 300 ms deadline; this only proves the read did not hang.
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test func repliesThatBreakTheProtocolAreErrors() throws {
        let request = XenStoreWire.Request.read("/local/domain/1/name", in: 0)
        let cases: [(ScriptedXenstored.Answer, String)] = [
            (.message(type: 2, reqID: 999, length: nil, payload: Array("ns1".utf8)), "reply req_id 999, expected 1"),
            (.message(type: 2, reqID: 1, length: 4097, payload: []), "reply of 4097 bytes exceeds 4096"),
            (.message(type: 42, reqID: 1, length: nil, payload: []), "reply of unknown type 42"),
            (.message(type: 1, reqID: 1, length: nil, payload: []), "reply of type 1 to a read"),
        ]
        for (answer, message) in cases {
            let server = try ScriptedXenstored.cpt18 { _ in answer }
            defer { server.stop() }
            let wire = try XenStoreWire(path: server.socketPath, timeout: .seconds(5))
            #expect(throws: XenStoreWireError(path: "/local/domain/1/name", message: message)) { try wire.batch([request]) }
            // The stream's position is lost: the connection is not used again.
            #expect(throws: XenStoreWireError(path: "/local/domain/1/name", message: "the connection to xenstored failed earlier")) {
                try wire.batch([request])
            }
        }
        let server = try ScriptedXenstored.cpt18 { _ in .tree }
        defer { server.stop() }
        let wire = try XenStoreWire(path: server.socketPath)
        let long = "/" + String(repeating: "x", count: 4096)
        #expect(throws: XenStoreWireError(path: long, message: "request of 4098 bytes exceeds 4096")) {
            try wire.batch([.read(long, in: 0)])
        }
    }

    @Test func aLongBatchIsSentInChunksOfSixtyFour() throws {
        let (server, _) = try XenstoreHarness.cpt18()
        defer { server.stop() }
        let wire = try XenStoreWire(path: server.socketPath)
        let requests = (0..<150).map { XenStoreWire.Request.read("/local/domain/\(Self.domids[$0 % 6])/name", in: 0) }
        let replies = try wire.batch(requests)
        #expect(wire.batchSizes == [64, 64, 22])
        #expect(
            try zip(replies, requests).map { try XenStoreWire.value(of: $0, for: $1) }
                == (0..<150).map { ["Domain-0", "ns1", "ldap", "www--migratedaway", "tmpbox", "old-test"][$0 % 6] })
    }

    @Test func noSocketThereMeansLibxenstore() throws {
        let (server, store) = try XenstoreHarness.cpt18()
        defer { server.stop() }
        #expect(XenStoreWire.socketExists(at: server.socketPath))
        #expect(!XenStoreWire.socketExists(at: server.directory.path))
        #expect(!XenStoreWire.socketExists(at: "/nonexistent/xenstored/socket"))
        let domains = try XenStoreSnapshot.read(store, socket: "/nonexistent/xenstored/socket", hvmContainers: [4])
        #expect(domains == Self.cpt18)
        // libxenstore's way: the first disk's keys right after its listing.
        let paths = server.requestLog.map(\.path)
        let listing = try #require(paths.firstIndex(of: "/local/domain/0/backend/vbd/1"))
        #expect(paths[listing + 1] == "/local/domain/0/backend/vbd/1/51713/dev")
    }

    /// The driver observes the same host either way; with the socket, in batches.
    @Test func theDriverObservesTheSameHostThroughEitherPath() async throws {
        let (server, store) = try XenstoreHarness.cpt18()
        defer { server.stop() }
        let root = try TemporaryDirectory.create("xenstorewire")
        defer { try? FileManager.default.removeItem(at: root) }
        let sysfs = try SysfsTree.cpt18(at: root.appendingPathComponent("sys"))
        let paths = XenDriverPaths(
            configDirectory: root.appendingPathComponent("xenplan").path,
            autoDirectory: root.appendingPathComponent("auto").path, sysClassNet: sysfs.classNet)
        func driver(_ socket: String?) -> XenDriver {
            XenDriver(
                hostName: "cpt18", hypervisor: RecordedHypervisor.cpt18(), store: store, xenstoreSocket: socket,
                runner: RecordingCommandRunner(), deadlines: DriverHarness.deadlines, paths: paths)
        }
        let viaLibrary = try await driver(nil).observe()
        let before = server.requestLog.count
        let viaWire = try await driver(server.socketPath).observe()
        #expect(viaWire == viaLibrary)
        #expect(viaWire.domains.map(\.domid) == [0, 1, 2, 4, 6, 9, 11])
        let paths2 = server.requestLog.dropFirst(before).map(\.path)
        // Batched: every domain's listing before the first device key.
        let lastListing = try #require(paths2.lastIndex(of: "/local/domain/0/backend/vif/9"))
        let firstKey = try #require(paths2.firstIndex(of: "/local/domain/0/backend/vbd/1/51713/dev"))
        #expect(lastListing < firstKey)
    }
}
