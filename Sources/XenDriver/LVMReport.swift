import FoundationEssentials
import HostModel
import XenplanBasics

/// The one `lvs` invocation of an observation, and its JSON report (LVM 2.03 on Debian 12).
public enum LVMReport {
    /// Sizes in KiB without a unit suffix, so they parse as numbers (`"5242880.00"`);
    /// tags, because the tag `xenplan` marks the volumes xenplan created.
    public static let options = [
        "lvs", "--reportformat", "json", "--units", "k", "--nosuffix",
        "-o", "lv_name,vg_name,lv_size,lv_tags",
    ]

    /// `lvs` for these volume groups only (the ones the manifests declare for the host):
    /// scanning every volume group costs time, and the others are none of xenplan's business.
    public static func command(volumeGroups: [String]) throws(XlConfigError) -> [String] {
        var seen = Set<String>()
        var argv = options
        for vg in volumeGroups where seen.insert(vg).inserted {
            guard Syntax.isVolumeGroup(vg) else { throw XlConfigError("'\(vg)' is not a volume group name") }
            argv.append(vg)
        }
        return argv
    }

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
        let trimmed = json.trimmingWhitespace()
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
            volumes.append(
                VolumeState(
                    container: row.vg_name, name: row.lv_name, size: ByteSize(kib: size),
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
