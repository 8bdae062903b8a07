import Foundation
import Testing
import XenplanTestSupport

@testable import XenDriver

/// `xl console NAME` on a `connection: local` dom0: `xl` found on PATH, made absolute
/// for `execv`.
struct XenConsoleTests {
    /// A folder with a fake `xl` of the given mode, removed by the caller.
    static func folder(xlMode: Int?) throws -> URL {
        let folder = try TemporaryDirectory.create("xl-path")
        if let xlMode {
            let xl = folder.appendingPathComponent("xl")
            try "#!/bin/sh\n".write(to: xl, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: xlMode], ofItemAtPath: xl.path)
        }
        return folder
    }

    @Test func xlFromThePathMadeAbsolute() throws {
        let empty = try Self.folder(xlMode: nil), plain = try Self.folder(xlMode: 0o644), tools = try Self.folder(xlMode: 0o755)
        defer { for f in [empty, plain, tools] { try? FileManager.default.removeItem(at: f) } }
        // A relative entry, a folder without xl and one whose xl is not executable come first.
        let path = ["sbin", empty.path, plain.path, tools.path].joined(separator: ":")
        #expect(try XenConsole.argv(domain: "www", searchPath: path) == [tools.appendingPathComponent("xl").path, "console", "www"])
    }

    @Test func aFolderNamedXlIsNotTheProgram() throws {
        let folder = try Self.folder(xlMode: nil), tools = try Self.folder(xlMode: 0o755)
        defer { for f in [folder, tools] { try? FileManager.default.removeItem(at: f) } }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("xl"), withIntermediateDirectories: false)
        #expect(
            try XenConsole.argv(domain: "ns1", searchPath: "\(folder.path):\(tools.path)")
                == [tools.appendingPathComponent("xl").path, "console", "ns1"])
    }

    @Test func noXlOnThePath() throws {
        let empty = try Self.folder(xlMode: nil)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(
            throws: XlConfigError(
                "xl is not on PATH ('\(empty.path)'); install xen-utils, or add the directory that holds xl (on Debian /usr/sbin) to PATH")
        ) {
            try XenConsole.argv(domain: "www", searchPath: empty.path)
        }
    }

    @Test(arguments: ["-x", "www ldap", "Domain-0", ""])
    func refusesWhatIsNotADomainName(_ name: String) throws {
        let tools = try Self.folder(xlMode: 0o755)
        defer { try? FileManager.default.removeItem(at: tools) }
        #expect(throws: XlConfigError("'\(name)' is not a valid domain name")) {
            try XenConsole.argv(domain: name, searchPath: tools.path)
        }
    }
}
