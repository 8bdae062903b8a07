import Foundation

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

    static func readDomain(_ domid: Int, readType: Bool, from store: XenStore,
                           in t: XenStore.Transaction) throws -> XenStoreDomain {
        let base = "/local/domain/\(domid)"
        let name = try store.read("\(base)/name", in: t)
        let target = try store.read("\(base)/memory/target", in: t).flatMap { Int64($0) }
        let staticMax = try store.read("\(base)/memory/static-max", in: t).flatMap { Int64($0) }
        let type = readType ? try store.read("/libxl/\(domid)/type", in: t) : "pv"
        return XenStoreDomain(domid: domid, name: name, memoryTargetKiB: target, staticMaxKiB: staticMax, type: type,
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
