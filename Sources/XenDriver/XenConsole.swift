import FoundationEssentials
import XenplanBasics

/// `xl console NAME` on this dom0, the program `xenplan console` replaces itself with.
/// `xl` is looked up on PATH as for every other `xl` the driver runs, but the path is
/// made absolute here, since `execv` does not search.
public enum XenConsole {
    /// `[/usr/sbin/xl, console, NAME]`. `searchPath` is `PATH`'s value; unset, the
    /// default search path of `posix_spawnp` and the shells applies.
    public static func argv(domain: String, searchPath: String?) throws(XlConfigError) -> [String] {
        let name = try XenCommands.domain(domain)
        let path = searchPath ?? "/bin:/usr/bin"
        guard let xl = executable("xl", searchPath: path) else {
            throw XlConfigError(
                "xl is not on PATH (\(shownValue(path, limit: 200))); install xen-utils, or add the directory that holds xl (on Debian /usr/sbin) to PATH"
            )
        }
        return [xl, "console", name]
    }

    /// The first executable file `program` in the absolute directories of `searchPath`
    /// (relative entries are skipped: the current directory is not a place to find `xl`).
    static func executable(_ program: String, searchPath: String) -> String? {
        for directory in searchPath.split(separator: ":") where directory.hasPrefix("/") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(program).path
            if let kind = PathKind.of(candidate), kind != .directory, FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }
}
