import Foundation

#if canImport(Glibc)
    import Glibc
    import XenplanTestSupport
#endif

/// A private OpenSSH server on 127.0.0.1 for one test: its own host key, config,
/// authorized keys and log in a temporary folder, started by path and stopped by pid.
/// Nothing of the system's ssh setup is read or changed; the client side gets its own
/// known_hosts file through `XENPLAN_SSH_KNOWN_HOSTS` and keys through `XENPLAN_SSH_OPTIONS`.
final class SshServer {
    /// One authorized key; `command` is the forced command sshd runs for it (nil: the
    /// command the client asks for, through root's login shell).
    struct Key {
        var command: String?
        init(command: String?) { self.command = command }
    }

    static let sshd = "/usr/sbin/sshd"
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: sshd) }

    let folder: URL
    let port: Int
    /// Private key files, one per `Key`, in order.
    let keys: [URL]
    /// A key sshd does not know.
    let strangerKey: URL
    let knownHosts: URL
    let emptyKnownHosts: URL
    /// The daemon's pid, from its pid file.
    private(set) var pid: pid_t = 0

    init(keys specs: [Key]) throws {
        folder = try TemporaryDirectory.create("sshd")
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let hostKey = folder.appendingPathComponent("host_ed25519")
        try Self.keygen(hostKey)
        var keys: [URL] = []
        var authorized = ""
        for (i, spec) in specs.enumerated() {
            let key = folder.appendingPathComponent("user\(i)_ed25519")
            try Self.keygen(key)
            keys.append(key)
            let publicKey = try String(contentsOf: key.appendingPathExtension("pub"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if let command = spec.command {
                let escaped = command.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                authorized += "command=\"\(escaped)\",no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-pty \(publicKey)\n"
            } else {
                authorized += "\(publicKey)\n"
            }
        }
        self.keys = keys
        strangerKey = folder.appendingPathComponent("stranger_ed25519")
        try Self.keygen(strangerKey)
        try authorized.write(to: folder.appendingPathComponent("authorized_keys"), atomically: true, encoding: .utf8)

        port = try Self.freePort()
        // Each session runs the account's shell, which reads the account's rc files; the
        // root account of a test machine may do much there (a language version manager
        // adds a quarter of a second to every session) that a dom0's root does not. An
        // empty home makes every session start as a plain Debian account's does.
        let home = folder.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(hostKey.path)
            AuthorizedKeysFile \(folder.appendingPathComponent("authorized_keys").path)
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            PermitRootLogin prohibit-password
            PidFile \(folder.appendingPathComponent("sshd.pid").path)
            LogLevel VERBOSE
            SetEnv HOME=\(home.path)

            """
        let configURL = folder.appendingPathComponent("sshd_config")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        let hostPublic = try String(contentsOf: hostKey.appendingPathExtension("pub"), encoding: .utf8)
            .split(separator: " ").prefix(2).joined(separator: " ")
        knownHosts = folder.appendingPathComponent("known_hosts")
        try "[127.0.0.1]:\(port) \(hostPublic)\n".write(to: knownHosts, atomically: true, encoding: .utf8)
        emptyKnownHosts = folder.appendingPathComponent("known_hosts.empty")
        try "".write(to: emptyKnownHosts, atomically: true, encoding: .utf8)

        // sshd detaches and writes its pid file; the process started here ends at once.
        // (Foundation's Process cannot watch a daemon in the foreground: sshd closes the
        // descriptor Process learns of its exit from.)
        let starter = Process()
        starter.executableURL = URL(fileURLWithPath: Self.sshd)
        starter.arguments = ["-f", configURL.path, "-E", folder.appendingPathComponent("sshd.log").path]
        try starter.run()
        starter.waitUntilExit()
        guard starter.terminationStatus == 0 else { throw SshServerError("sshd did not start: \(log)") }
        pid = try waitForPid()
        try waitUntilListening()
    }

    /// The environment for a client using key `index` (or the stranger key) and this
    /// server's known_hosts file (or `file`).
    func clientEnvironment(key index: Int? = 0, knownHosts file: URL? = nil) -> [String: String] {
        let key = index.map { keys[$0] } ?? strangerKey
        return ["XENPLAN_SSH_OPTIONS": "-o IdentitiesOnly=yes -i \(key.path)", "XENPLAN_SSH_KNOWN_HOSTS": (file ?? knownHosts).path]
    }

    var log: String { (try? String(contentsOf: folder.appendingPathComponent("sshd.log"), encoding: .utf8)) ?? "" }

    func stop() {
        if pid > 0 {
            kill(pid, SIGTERM)
            pid = 0
        }
        try? FileManager.default.removeItem(at: folder)
    }

    private func waitForPid() throws -> pid_t {
        let file = folder.appendingPathComponent("sshd.pid")
        for _ in 0..<200 {
            if let text = try? String(contentsOf: file, encoding: .utf8),
                let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
            {
                return pid
            }
            usleep(25_000)
        }
        throw SshServerError("sshd wrote no pid file: \(log)")
    }

    private static func keygen(_ file: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
        p.arguments = ["-q", "-t", "ed25519", "-N", "", "-C", "xenplan-test", "-f", file.path]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw SshServerError("ssh-keygen failed for \(file.path)") }
    }

    /// A port the kernel just handed out (bound to port 0, then released).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SshServerError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw SshServerError("bind failed") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw SshServerError("getsockname failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private func waitUntilListening() throws {
        for _ in 0..<200 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return }
            guard kill(pid, 0) == 0 else { throw SshServerError("sshd exited: \(log)") }
            usleep(25_000)
        }
        throw SshServerError("sshd did not listen on port \(port): \(log)")
    }
}

struct SshServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Processes of this test run found by their command line, to cut a connection the way
/// a crash or a dropped network would.
enum TestProcesses {
    /// Pids of running processes whose arguments include every one of `parts`.
    static func matching(_ parts: [String]) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var pids: [Int32] = []
        for entry in entries {
            guard let pid = Int32(entry), pid != getpid(),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if parts.allSatisfy(arguments.contains) { pids.append(pid) }
        }
        return pids
    }
}
