import Foundation

/// Golden files: what a test produced, compared with what is committed. After a
/// deliberate change of output, `RECORD_SNAPSHOTS=1` writes the new output over them
/// instead (and the comparison then passes), for the diff to be reviewed.
public enum Snapshot {
    public static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" }

    /// The committed text at `url` to compare `actual` with; when recording, `actual`
    /// itself, written there first.
    public static func expected(_ actual: String, at url: URL) throws -> String {
        String(decoding: try expected(Data(actual.utf8), at: url), as: UTF8.self)
    }

    /// The committed bytes at `url` to compare `actual` with; when recording, `actual`
    /// itself, written there first.
    public static func expected(_ actual: Data, at url: URL) throws -> Data {
        guard recording else { return try Data(contentsOf: url) }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try actual.write(to: url, options: .atomic)
        return actual
    }
}
