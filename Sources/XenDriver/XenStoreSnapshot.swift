import FoundationEssentials

/// A block device backend as libxl writes it under
/// `/local/domain/0/backend/vbd/<domid>/<devid>/`.
public struct VbdBackend: Hashable, Sendable {
    public var devid: Int
    /// `dev`: the guest's device name (`xvda2`).
    public var vdev: String
    /// `params`: the target (`/dev/vg/lv` or an image file).
    public var target: String
    /// `mode`: `w` or `r`.
    public var mode: String
}

/// A network backend under `/local/domain/0/backend/vif/<domid>/<devid>/`.
public struct VifBackend: Hashable, Sendable {
    public var devid: Int
    public var bridge: String
    public var mac: String
    public var ip: String?
}

/// What xenstore says about one domain: the *requested* values (balloon target) that the
/// hypervisor's actual numbers are compared with, and the devices libxl set up. Only what
/// observation uses is read: each read is a round trip to xenstored, and on a busy dom0
/// the round trips are most of an observation's time.
public struct XenStoreDomain: Hashable, Sendable {
    public var domid: Int
    public var name: String?
    public var memoryTargetKiB: Int64?
    public var staticMaxKiB: Int64?
    /// `/libxl/<domid>/type` (`pvh` or `hvm`), read only for domains the hypervisor flags
    /// as HVM containers: a domain without the flag is PV.
    public var type: String?
    public var disks: [VbdBackend]
    public var nics: [VifBackend]
}

/// Reads every domain's xenstore entries in one transaction, so that a domain created or
/// destroyed meanwhile is either wholly in the snapshot or wholly absent.
public enum XenStoreSnapshot {
    /// Reads through xenstored's socket at `socket`, pipelined (`XenStoreWire`), when
    /// there is one; else through libxenstore's `store` (a dom0 whose xenstored is reached
    /// through `/dev/xen/xenbus`). Chosen at each snapshot; both give the same result.
    public static func read(_ store: XenStore, socket: String?, hvmContainers: Set<Int> = []) throws -> [Int: XenStoreDomain] {
        if let socket, XenStoreWire.socketExists(at: socket) {
            return try read(XenStoreWire(path: socket), hvmContainers: hvmContainers)
        }
        return try read(store, hvmContainers: hvmContainers)
    }

    /// Through libxenstore: one round trip per node.
    /// `hvmContainers`: the domids whose type (pvh or hvm) must be read from libxl's tree.
    public static func read(_ store: XenStore, hvmContainers: Set<Int> = []) throws -> [Int: XenStoreDomain] {
        try store.withTransaction(readOnly: true) { t in
            let domids = (try store.directory("/local/domain", in: t) ?? []).compactMap { Int($0) }
            var result: [Int: XenStoreDomain] = [:]
            for domid in domids {
                result[domid] = try readDomain(domid, readType: hvmContainers.contains(domid), from: store, in: t)
            }
            return result
        }
    }

    static func readDomain(
        _ domid: Int, readType: Bool, from store: XenStore,
        in t: XenStore.Transaction
    ) throws -> XenStoreDomain {
        let base = "/local/domain/\(domid)"
        let name = try store.read("\(base)/name", in: t)
        let target = try store.read("\(base)/memory/target", in: t).flatMap { Int64($0) }
        let staticMax = try store.read("\(base)/memory/static-max", in: t).flatMap { Int64($0) }
        let type = readType ? try store.read("/libxl/\(domid)/type", in: t) : "pv"
        return XenStoreDomain(
            domid: domid, name: name, memoryTargetKiB: target, staticMaxKiB: staticMax, type: type,
            disks: try vbds(of: domid, from: store, in: t), nics: try vifs(of: domid, from: store, in: t))
    }

    /// Backends live in the backend domain's tree; xenplan's backends are all in dom0.
    static func vbds(of domid: Int, from store: XenStore, in t: XenStore.Transaction) throws -> [VbdBackend] {
        let dir = "/local/domain/0/backend/vbd/\(domid)"
        var disks: [VbdBackend] = []
        for devid in (try store.directory(dir, in: t) ?? []).compactMap({ Int($0) }).sorted() {
            let path = "\(dir)/\(devid)"
            guard let dev = try store.read("\(path)/dev", in: t) else { continue }
            let params = try store.read("\(path)/params", in: t) ?? ""
            let mode = try store.read("\(path)/mode", in: t) ?? "w"
            disks.append(VbdBackend(devid: devid, vdev: dev, target: params, mode: mode))
        }
        return disks
    }

    static func vifs(of domid: Int, from store: XenStore, in t: XenStore.Transaction) throws -> [VifBackend] {
        let dir = "/local/domain/0/backend/vif/\(domid)"
        var nics: [VifBackend] = []
        for devid in (try store.directory(dir, in: t) ?? []).compactMap({ Int($0) }).sorted() {
            let path = "\(dir)/\(devid)"
            let bridge = try store.read("\(path)/bridge", in: t) ?? ""
            let mac = try store.read("\(path)/mac", in: t) ?? ""
            let ip = try store.read("\(path)/ip", in: t).flatMap { $0.isEmpty ? nil : $0 }
            nics.append(VifBackend(devid: devid, bridge: bridge, mac: mac, ip: ip))
        }
        return nics
    }
}

extension XenStoreSnapshot {
    /// The same reads, the same transaction and the same result as through libxenstore,
    /// in pipelined batches: the transaction's start; the listing of `/local/domain`;
    /// every domain's name, memory, type (HVM containers only) and backend listings; every
    /// device's keys, with the transaction's end (an abort) in the same write. Four round
    /// trips instead of one per node.
    public static func read(_ wire: XenStoreWire, hvmContainers: Set<Int> = []) throws -> [Int: XenStoreDomain] {
        typealias Request = XenStoreWire.Request
        let tx = try wire.transactionStart()
        var ended = false
        defer { if !ended { _ = try? wire.transactionEnd(tx) } }

        let listing = Request.directory("/local/domain", in: tx)
        let domids = (try wire.names(of: try wire.batch([listing])[0], for: listing) ?? []).compactMap { Int($0) }

        var domainRequests: [Request] = []
        for domid in domids {
            let base = "/local/domain/\(domid)"
            domainRequests += [
                .read("\(base)/name", in: tx), .read("\(base)/memory/target", in: tx),
                .read("\(base)/memory/static-max", in: tx),
            ]
            if hvmContainers.contains(domid) { domainRequests.append(.read("/libxl/\(domid)/type", in: tx)) }
            domainRequests += [
                .directory("/local/domain/0/backend/vbd/\(domid)", in: tx),
                .directory("/local/domain/0/backend/vif/\(domid)", in: tx),
            ]
        }
        var answers = Answers(wire: wire, requests: domainRequests, replies: try wire.batch(domainRequests))
        struct Partial { var domain: XenStoreDomain; var vbds: [Int]; var vifs: [Int] }
        var partials: [Partial] = []
        for domid in domids {
            let name = try answers.value()
            let target = try answers.value().flatMap { Int64($0) }
            let staticMax = try answers.value().flatMap { Int64($0) }
            let type = hvmContainers.contains(domid) ? try answers.value() : "pv"
            let vbds = (try answers.names() ?? []).compactMap { Int($0) }.sorted()
            let vifs = (try answers.names() ?? []).compactMap { Int($0) }.sorted()
            partials.append(
                Partial(
                    domain: XenStoreDomain(
                        domid: domid, name: name, memoryTargetKiB: target, staticMaxKiB: staticMax,
                        type: type, disks: [], nics: []), vbds: vbds, vifs: vifs))
        }

        var deviceRequests: [Request] = []
        for p in partials {
            for devid in p.vbds {
                let path = "/local/domain/0/backend/vbd/\(p.domain.domid)/\(devid)"
                deviceRequests += [.read("\(path)/dev", in: tx), .read("\(path)/params", in: tx), .read("\(path)/mode", in: tx)]
            }
            for devid in p.vifs {
                let path = "/local/domain/0/backend/vif/\(p.domain.domid)/\(devid)"
                deviceRequests += [.read("\(path)/bridge", in: tx), .read("\(path)/mac", in: tx), .read("\(path)/ip", in: tx)]
            }
        }
        // xenstored answers in order: the abort is handled after every read of the batch.
        // An error it answers to the abort is of no consequence to a read-only pass.
        ended = true
        answers = Answers(wire: wire, requests: deviceRequests, replies: Array(try wire.batch(deviceRequests + [.transactionEnd(tx)]).dropLast()))
        var result: [Int: XenStoreDomain] = [:]
        for p in partials {
            var domain = p.domain
            for devid in p.vbds {
                // As the libxenstore path: a disk without `dev` is skipped, whatever its
                // other keys answered.
                guard let dev = try answers.value() else { answers.skip(2); continue }
                let params = try answers.value() ?? ""
                let mode = try answers.value() ?? "w"
                domain.disks.append(VbdBackend(devid: devid, vdev: dev, target: params, mode: mode))
            }
            for devid in p.vifs {
                let bridge = try answers.value() ?? ""
                let mac = try answers.value() ?? ""
                let ip = try answers.value().flatMap { $0.isEmpty ? nil : $0 }
                domain.nics.append(VifBackend(devid: devid, bridge: bridge, mac: mac, ip: ip))
            }
            result[domain.domid] = domain
        }
        return result
    }

    /// A batch's replies taken in the order of its requests.
    private struct Answers {
        let wire: XenStoreWire
        let requests: [XenStoreWire.Request]
        let replies: [XenStoreWire.Reply]
        var next = 0

        init(wire: XenStoreWire, requests: [XenStoreWire.Request], replies: [XenStoreWire.Reply]) {
            self.wire = wire
            self.requests = requests
            self.replies = replies
        }

        mutating func value() throws -> String? {
            defer { next += 1 }
            return try XenStoreWire.value(of: replies[next], for: requests[next])
        }

        mutating func names() throws -> [String]? {
            defer { next += 1 }
            return try wire.names(of: replies[next], for: requests[next])
        }

        mutating func skip(_ count: Int) { next += count }
    }
}
