import FoundationEssentials
import HostModel
import XenplanBasics

/// `xenplan backups`: one line per complete backup, oldest first per domain, or the
/// records themselves as JSON.
struct BackupList {
    var records: [BackupRecord]

    func render() -> String {
        guard !records.isEmpty else { return "No backups." }
        let header = ["DOMAIN", "ID", "HOST", "CONSISTENCY", "DISKS", "STORED", "WHERE"]
        var rows = [header]
        for record in records {
            let disks = record.disks.map { "\(Self.cell($0.vdev)) \($0.size)" }.joined(separator: ", ")
            let stored = record.disks.reduce(ByteSize.zero) { $0 + $1.storedSize }
            rows.append([
                Self.cell(record.domain), Self.cell(record.id), Self.cell(record.host), Self.cell(record.consistency), disks,
                "\(stored)", Self.cell(record.backupDirectory),
            ])
        }
        var widths = Array(repeating: 0, count: header.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padded(to: widths[i]) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// A value from a host as it is when it is plain printable ASCII without spaces or
    /// quotes (names, ids, paths), else quoted and escaped.
    static func cell(_ text: String) -> String {
        let plain =
            !text.isEmpty && text.count <= 160 && text.unicodeScalars.allSatisfy { (0x21...0x7e).contains($0.value) && $0 != "'" && $0 != "\\" }
        return plain ? text : shownValue(text, limit: 96)
    }

    /// `{"format": 1, "backups": [record…]}`, keys sorted.
    func json() throws -> String {
        struct Listing: Encodable {
            var format = 1
            var backups: [BackupRecord]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Listing(backups: records)), as: UTF8.self)
    }
}
