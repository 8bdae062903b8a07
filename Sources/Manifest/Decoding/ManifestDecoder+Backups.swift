import XenplanBasics
import XenplanYAML

/// `backups:` at the top level (the lab-wide policy) and on a domain (its own keys over
/// the lab-wide ones, or `none`).
extension ManifestDecoder {
    static let backupKeys = ["pool", "keep", "consistency"]
    /// The lab-wide policy's; a domain's takes the lab-wide pool when it has none.
    static let labBackupRequiredKeys = ["pool"]
    /// `backups: none` on a domain: no backups, no safety net.
    static let noBackups = "none"

    /// The lab-wide policy: a mapping, `pool` required.
    mutating func decodeLabBackups(_ entry: NodeReader.Entry) {
        file.backups = decodeBackups(entry, what: "backups", required: Self.labBackupRequiredKeys, allowsNone: false)
    }

    /// A policy as written; `none` (where allowed) turns backups off.
    func decodeBackups(_ entry: NodeReader.Entry, what: String, required: [String], allowsNone: Bool) -> DeclaredBackups? {
        var declared = DeclaredBackups(location: entry.keyLocation)
        if allowsNone, case let .scalar(scalar) = entry.value, !reader.isNull(entry.value) {
            guard scalar.string == Self.noBackups else {
                reader.report(
                    .error(
                        "\(what) must be none or a mapping {pool, keep, consistency}, not \(shown(scalar.string))",
                        at: reader.location(entry.value)))
                return nil
            }
            declared.none = true
            return declared
        }
        guard let fields = reader.object(entry.value, what, keys: Self.backupKeys, required: required, at: entry.keyLocation) else {
            return nil
        }
        declared.pool = fields["pool"].flatMap { reader.name($0.value, for: "pool of \(what)") }
        declared.keep = fields["keep"].flatMap { reader.int($0.value, for: "keep of \(what)", in: BackupPolicy.keepRange) }
        declared.consistency = fields["consistency"].flatMap {
            reader.choice($0.value, for: "consistency of \(what)", as: BackupPolicy.Consistency.self)
        }
        return declared
    }
}

/// `backups:` as written: every key optional, merged once all files are read.
struct DeclaredBackups {
    var pool: Declared<String>?
    var keep: Declared<Int>?
    var consistency: Declared<BackupPolicy.Consistency>?
    /// `backups: none`.
    var none = false
    /// The `backups` key.
    var location: SourceLocation
}
