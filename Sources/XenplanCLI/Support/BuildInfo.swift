import XenplanBuildInfo

/// What `xenplan --version` prints: the version, and the commit the binary was built
/// from (`0.1.0 (commit 1a2b3c4d5e6f, 2026-12-02)`), or `(commit unknown)` for a build
/// that was not told it (a plain `swift build`; the Makefile tells every build it runs).
enum BuildInfo {
    /// The abbreviated commit hash, `-dirty` when the tree had uncommitted changes.
    static let commit: String? = known(String(cString: xenplan_build_commit()))
    /// The commit's date, YYYY-MM-DD.
    static let commitDate: String? = known(String(cString: xenplan_build_commit_date()))

    static func versionLine(version: String) -> String {
        versionLine(version: version, commit: commit, date: commitDate)
    }

    static func versionLine(version: String, commit: String?, date: String?) -> String {
        guard let commit else { return "\(version) (commit unknown)" }
        guard let date else { return "\(version) (commit \(commit))" }
        return "\(version) (commit \(commit), \(date))"
    }

    private static func known(_ value: String) -> String? { value.isEmpty ? nil : value }
}
