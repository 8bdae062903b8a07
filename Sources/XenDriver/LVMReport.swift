import Foundation
import HostModel
import XenplanBasics

/// The one `lvs` invocation of an observation, and its JSON report (LVM 2.03 on Debian 12).
public enum LVMReport {
    /// Sizes in KiB without a unit suffix, so they parse as numbers (`"5242880.00"`);
    /// tags, because the tag `xenplan` marks the volumes xenplan created.
    public static let command = ["lvs", "--reportformat", "json", "--units", "k", "--nosuffix",
                                 "-o", "lv_name,vg_name,lv_size,lv_tags"]

    /// The LVM tag `lvcreate --addtag` puts on every volume xenplan creates.
    public static let ownerTag = "xenplan"

    private struct Report: Decodable {
        struct Section: Decodable {
            var lv: [Row]?
        }
        struct Row: Decodable {
            var lv_name: String
            var vg_name: String
            var lv_size: String
            var lv_tags: String?
        }
        var report: [Section]
    }

    /// Every logical volume, in volume group then name order. A host with no volume group
    /// gives an empty report, not an error.
    public static func parse(_ json: String) throws -> [VolumeState] {
        let trimmed = json.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [] }
        let report: Report
        do {
            report = try JSONDecoder().decode(Report.self, from: Data(trimmed.utf8))
        } catch {
            throw XlConfigError("lvs printed a report that is not LVM's JSON: \(error)")
        }
        var volumes: [VolumeState] = []
        for row in report.report.flatMap({ $0.lv ?? [] }) {
            guard let size = Self.kib(row.lv_size) else {
                throw XlConfigError("lvs: size '\(row.lv_size)' of \(row.vg_name)/\(row.lv_name) is not a number of KiB")
            }
            let tags = (row.lv_tags ?? "").split(separator: ",").map(String.init)
            volumes.append(VolumeState(container: row.vg_name, name: row.lv_name, size: ByteSize(kib: size),
                                       owned: tags.contains(ownerTag)))
        }
        return volumes.sorted { ($0.container, $0.name) < ($1.container, $1.name) }
    }

    /// `5242880.00` → 5242880; LVM sizes are whole extents, so the fraction is always zero.
    static func kib(_ s: String) -> Int64? {
        let whole = s.split(separator: ".", maxSplits: 1).first.map(String.init) ?? s
        return Int64(whole)
    }
}

/// The one `ip` invocation of an observation and its JSON (iproute2 6.1 on Debian 12).
public enum IPLinkReport {
    public static let command = ["ip", "-j", "-d", "link", "show"]

    private struct Link: Decodable {
        struct LinkInfo: Decodable {
            var info_kind: String?
        }
        var ifname: String
        var master: String?
        var linkinfo: LinkInfo?
    }

    /// Bridges and the host interfaces enslaved to them. Xen's backend interfaces
    /// (`vif3.0`, `vif3.0-emu`) come and go with domains: they are the domains' NICs, not
    /// the bridge's configuration, and are left out.
    public static func parse(_ json: String) throws -> [BridgeState] {
        let links: [Link]
        do {
            links = try JSONDecoder().decode([Link].self, from: Data(json.utf8))
        } catch {
            throw XlConfigError("ip -j link printed something that is not iproute2's JSON: \(error)")
        }
        let bridges = links.filter { $0.linkinfo?.info_kind == "bridge" }.map(\.ifname)
        return bridges.sorted().map { bridge in
            let members = links.filter { $0.master == bridge && !isXenBackend($0.ifname) }.map(\.ifname).sorted()
            return BridgeState(name: bridge, interfaces: members)
        }
    }

    static func isXenBackend(_ name: String) -> Bool {
        guard name.hasPrefix("vif") else { return false }
        let rest = name.dropFirst(3)
        let parts = rest.split(separator: ".", maxSplits: 1)
        return parts.count == 2 && parts[0].allSatisfy(\.isASCIIDigit) && parts[1].first?.isASCIIDigit == true
    }
}
