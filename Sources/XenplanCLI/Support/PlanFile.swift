import FoundationEssentials
import Planner

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Saved plans: written atomically with mode 0600 (they describe the hosts).
enum PlanFile {
    static func write(_ plan: Plan, to path: String) throws {
        let data = Data(try PlanJSON.encode(plan).utf8)
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temp.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw UserFacingError("cannot write the plan to \(path): \(String(cString: strerror(errno)))")
        }
        if rename(temp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp.path)
            throw UserFacingError("cannot write the plan to \(path): \(reason)")
        }
    }

    static func read(_ path: String) throws -> Plan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UserFacingError("cannot read the plan file \(path)")
        }
        return try PlanJSON.decode(data, path: path)
    }
}
