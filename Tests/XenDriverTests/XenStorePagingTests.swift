import Foundation
import Testing
import XenplanBasics

@testable import XenDriver

/// A host with about 2,000 domains has a `/local/domain` listing over xenstored's 4 KiB
/// payload: xenstored answers E2BIG, and the snapshot pages it with DIRECTORY_PART, as
/// libxenstore does, instead of failing.
@Suite struct XenStorePagingTests {
    /// Domain-0 and `count` guests `g1`…, each with a name and memory keys.
    static func tree(guests count: Int) -> XenstoreTree {
        var tree = XenstoreTree.parse(lsFull: "/local = \"\"\n/local/domain = \"\"\n")
        for domid in 0...count {
            let base = "/local/domain/\(domid)"
            tree.write("\(base)/name", Array((domid == 0 ? "Domain-0" : "g\(domid)").utf8))
            tree.write("\(base)/memory/target", Array("131072".utf8))
            tree.write("\(base)/memory/static-max", Array("262144".utf8))
        }
        return tree
    }

    @Test func twoThousandDomainsAreReadPageByPage() throws {
        let (server, store) = try XenstoreHarness.start(tree: Self.tree(guests: 2000))
        defer { server.stop() }
        let wire = try XenStoreWire(path: server.socketPath)
        let viaWire = try XenStoreSnapshot.read(wire)
        #expect(viaWire.count == 2001)
        #expect(viaWire[2000]?.name == "g2000")
        #expect(viaWire[1234]?.memoryTargetKiB == 131_072)
        // libxenstore pages the same listing on its own (E2BIG, then DIRECTORY_PART): the
        // test xenstored pages as the real one does, and both paths agree.
        #expect(try XenStoreSnapshot.read(store) == viaWire)

        // The listing refused, then its 8,895 bytes of names in 3 pages of at most 4 KiB,
        // each one round trip in the snapshot's transaction.
        let names = (0...2000).map { "\($0)" }.reduce(0) { $0 + $1.utf8.count + 1 }
        #expect(names == 8_895)
        #expect(wire.batchSizes.prefix(5) == [1, 1, 1, 1, 1])
        let reads: Int = wire.batchSizes.dropFirst(5).reduce(0, +)
        #expect(reads == 2001 * 5 + 1)
    }

    @Test func pagesEndOnWholeNamesAndTheLastOneSaysSo() {
        let children = TestXenstored.strings((0..<1500).map { "domain-name-\($0)" })
        var offset = 0, names: [String] = [], pages = 0
        while true {
            let page = TestXenstored.directoryPart(children, from: offset, generation: 7)
            pages += 1
            #expect(page.count <= 4096)
            #expect(Array(page.prefix(2)) == [UInt8(ascii: "7"), 0])
            let body = page.dropFirst(2)
            let last = body.suffix(2) == [0, 0]
            names += body.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            offset += body.count
            if last { break }
            #expect(body.last == 0)
        }
        #expect(pages == 6)
        #expect(names == (0..<1500).map { "domain-name-\($0)" })
        #expect(TestXenstored.directoryPart(children, from: children.count, generation: 7) == [UInt8(ascii: "7"), 0, 0])
    }

    /// A page of another generation than the first means `/local/domain` changed while
    /// it was paged (a domain came or went): the listing starts again from offset 0.
    @Test func aDirectoryChangedWhilePagedIsListedAgain() throws {
        let part = TestXenstored.MessageType.directoryPart.rawValue
        @Sendable func page(_ generation: String, _ names: [String], last: Bool) -> [UInt8] {
            let tail: [UInt8] = last ? [0] : []
            return Array(generation.utf8) + [0] + TestXenstored.strings(names) + tail
        }
        let server = try ScriptedXenstored.cpt18 { request in
            switch (request.index, request.path) {
            case (1, "/local/domain"): return .error("E2BIG")
            case (2, _): return .message(type: part, reqID: request.reqID, length: nil, payload: page("41", ["0", "1"], last: false))
            case (3, _): return .message(type: part, reqID: request.reqID, length: nil, payload: page("42", ["2"], last: true))
            case (4, _): return .message(type: part, reqID: request.reqID, length: nil, payload: page("42", ["0", "2"], last: false))
            case (5, _): return .message(type: part, reqID: request.reqID, length: nil, payload: page("42", ["6"], last: true))
            default: return .tree
            }
        }
        defer { server.stop() }
        let snapshot = try XenStoreSnapshot.read(XenStoreWire(path: server.socketPath))
        #expect(snapshot.keys.sorted() == [0, 2, 6])
        let pages = Array(server.log[2...5])
        #expect(pages.map(\.type) == [part, part, part, part])
        #expect(pages.allSatisfy { $0.tx == ScriptedXenstored.transaction && $0.path == "/local/domain" })
    }

    @Test func aDirectoryThatNeverHoldsStillIsAnError() throws {
        let part = TestXenstored.MessageType.directoryPart.rawValue
        let server = try ScriptedXenstored.cpt18 { request in
            if request.index == 1 { return .error("E2BIG") }
            guard request.type == part else { return .tree }
            // Every first page of a new generation, every second page of another.
            let generation = Array(String(request.index).utf8)
            return .message(type: part, reqID: request.reqID, length: nil, payload: generation + [0] + Array("1".utf8) + [0])
        }
        defer { server.stop() }
        #expect(throws: XenStoreWireError(path: "/local/domain", message: "changed 9 times while its children were read")) {
            try XenStoreSnapshot.read(XenStoreWire(path: server.socketPath))
        }
    }

    /// `make bench` prints how long reading 2,000 domains takes through either path
    /// (`XENPLAN_BENCH_FIGURES=1`); the test itself checks only that both agree.
    @Test func twoThousandDomainsFigure() throws {
        let (server, store) = try XenstoreHarness.start(tree: Self.tree(guests: 2000))
        defer { server.stop() }
        var wireTimes: [Duration] = [], libraryTimes: [Duration] = []
        let clock = ContinuousClock()
        for _ in 0..<5 {
            var viaWire: [Int: XenStoreDomain] = [:], viaLibrary: [Int: XenStoreDomain] = [:]
            wireTimes.append(try clock.measure { viaWire = try XenStoreSnapshot.read(XenStoreWire(path: server.socketPath)) })
            libraryTimes.append(try clock.measure { viaLibrary = try XenStoreSnapshot.read(store) })
            #expect(viaWire.count == 2001 && viaWire == viaLibrary)
        }
        if ProcessInfo.processInfo.environment["XENPLAN_BENCH_FIGURES"] == "1" {
            let median = { (times: [Duration]) in times.sorted()[times.count / 2].shownElapsed }
            print(
                "FIGURE xenstore snapshot of 2,000 domains (test xenstored): pipelined wire \(median(wireTimes)), libxenstore \(median(libraryTimes))"
            )
        }
    }
}
