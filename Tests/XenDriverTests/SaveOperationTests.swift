import CXen
import Foundation
import HostModel
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import XenDriver

/// `save`, `restore` and `remove-save`: the exact `xl` command lines, the file only ever
/// named `DOMAIN.save` when complete, and what a failure leaves.
@Suite struct SaveOperationTests {
    func failure(_ operation: HostOperation, on h: DriverHarness) async -> HostError? {
        do {
            try await h.driver.perform(operation)
            return nil
        } catch {
            return error as? HostError
        }
    }

    func files(_ directory: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() }

    func mode(_ path: String) -> mode_t? {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode & 0o777 : nil
    }

    @Test func saveWritesAPrivatePartialFileThenNamesIt() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let dir = h.paths.saveDirectory
        try await h.driver.perform(.save(domain: "ldap", directory: dir))
        #expect(h.runner.commands == [["xl", "save", "ldap", dir + "/ldap.save.partial", h.paths.configPath("ldap")]])
        #expect(h.runner.invocations.first?.timeout == DriverHarness.deadlines.migrate)
        #expect(files(dir) == ["ldap.save"])
        #expect(mode(dir + "/ldap.save") == 0o600)
        #expect(mode(dir) == 0o700)
    }

    @Test func saveIntoADirPoolReplacesAStaleFile() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let dir = h.paths.imageDirectories[0]
        try Data("stale".utf8).write(to: URL(fileURLWithPath: dir + "/ldap.save"))
        try Data("half".utf8).write(to: URL(fileURLWithPath: dir + "/ldap.save.partial"))
        try await h.driver.perform(.save(domain: "ldap", directory: dir + "/"))
        #expect(h.runner.commands == [["xl", "save", "ldap", dir + "/ldap.save.partial", h.paths.configPath("ldap")]])
        #expect(files(dir) == ["ldap.save"])
        #expect(FileManager.default.contents(atPath: dir + "/ldap.save") == Data(), "the file xl wrote, not the stale one")
    }

    @Test func aFailedSaveRemovesThePartialFile() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        h.runner.respond(to: ["xl", "save"], with: CommandResult(status: 1, stderr: "libxl: error: domain not suspended\n"))
        let dir = h.paths.saveDirectory
        let error = await failure(.save(domain: "ldap", directory: dir), on: h)
        #expect(
            error?.description
                == "host cpt18: save of domain ldap failed: `xl save ldap \(dir)/ldap.save.partial \(h.paths.configPath("ldap"))` exited with status 1: libxl: error: domain not suspended"
        )
        #expect(files(dir).isEmpty)
    }

    @Test func aDirectoryNeitherTheSaveDirectoryNorAPoolIsRefused() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        for operation in [
            HostOperation.save(domain: "ldap", directory: "/etc"),
            .restore(domain: "web2", directory: h.root.path),
            .removeSave(domain: "web2", directory: h.paths.saveDirectory + "/../../auto", partial: false),
        ] {
            let error = await failure(operation, on: h)
            #expect(
                error?.message.hasSuffix("is neither the save directory \(h.paths.saveDirectory) nor the directory of a dir pool of cpt18") == true)
        }
        #expect(h.runner.commands.isEmpty)
    }

    @Test func restoreRunsXlRestoreThenRemovesTheFile() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let dir = h.paths.imageDirectories[0]
        try Data("memory".utf8).write(to: URL(fileURLWithPath: dir + "/web2.save"))
        try await h.driver.perform(.restore(domain: "web2", directory: dir))
        #expect(h.runner.commands == [["xl", "restore", h.paths.configPath("web2"), dir + "/web2.save"]])
        #expect(h.runner.invocations.first?.timeout == DriverHarness.deadlines.migrate)
        #expect(files(dir).isEmpty)
    }

    @Test func aFailedRestoreKeepsTheSaveFile() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let dir = h.paths.imageDirectories[0]
        try Data("memory".utf8).write(to: URL(fileURLWithPath: dir + "/web2.save"))
        h.runner.respond(to: ["xl", "restore"], with: CommandResult(status: 3, stderr: "libxl: error: not enough memory\n"))
        let error = await failure(.restore(domain: "web2", directory: dir), on: h)
        #expect(error?.message.hasSuffix("exited with status 3: libxl: error: not enough memory") == true)
        #expect(files(dir) == ["web2.save"])
    }

    @Test func aRunningDomainIsNeverRestoredASecondTime() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let dir = h.paths.saveDirectory
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("memory".utf8).write(to: URL(fileURLWithPath: dir + "/ldap.save"))
        let error = await failure(.restore(domain: "ldap", directory: dir), on: h)
        #expect(error?.message == "ldap already runs on cpt18: restoring \(dir)/ldap.save would start a second copy")
        #expect(h.runner.commands.isEmpty)
        #expect(files(dir) == ["ldap.save"])
    }

    @Test func restoreWithoutASaveFileIsRefused() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let dir = h.paths.saveDirectory
        let error = await failure(.restore(domain: "web2", directory: dir), on: h)
        #expect(error?.message == "there is no save file \(dir)/web2.save on cpt18")
        #expect(h.runner.commands.isEmpty)
    }

    @Test func removeSaveUnlinksExactlyTheFileNamed() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let dir = h.paths.imageDirectories[0]
        for name in ["web2.save", "web2.save.partial", "web.save"] {
            try Data("memory".utf8).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        try await h.driver.perform(.removeSave(domain: "web2", directory: dir, partial: true))
        #expect(files(dir) == ["web.save", "web2.save"])
        try await h.driver.perform(.removeSave(domain: "web2", directory: dir, partial: false))
        #expect(files(dir) == ["web.save"])
        // Already gone: done.
        try await h.driver.perform(.removeSave(domain: "web2", directory: dir, partial: false))
        #expect(h.runner.commands.isEmpty)
    }
}
