import Foundation

/// Places of a test's own under the system's temporary directory, each named
/// `<label>-<UUID>` so that tests running in parallel never share one. The caller
/// removes what it made.
public enum TemporaryDirectory {
    /// A new, empty directory.
    public static func create(
        _ label: String = "xenplan",
        in base: URL = FileManager.default.temporaryDirectory
    ) throws -> URL {
        let url = unusedURL(label, in: base)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A path nothing exists at yet, for the code under test to create itself (with its
    /// own mode, or as a file).
    public static func unusedURL(
        _ label: String = "xenplan",
        in base: URL = FileManager.default.temporaryDirectory
    ) -> URL {
        base.appendingPathComponent("\(label)-\(UUID().uuidString)")
    }
}
