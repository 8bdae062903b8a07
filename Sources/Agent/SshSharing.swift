import FoundationEssentials
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#endif

/// OpenSSH connection sharing between xenplan's commands: the first connection to a host
/// becomes a master that stays up `persistSeconds` after its last session, and the
/// next commands' ssh runs over it instead of connecting and authenticating again (0.6 to
/// 1.2 s a host otherwise, on every `plan`).
///
/// The control socket lets whoever can reach it run commands on the host as that user,
/// so it lives in a directory only this user can enter (checked before each use, never
/// followed through a link). Its name is a digest of the whole connection: user, host,
/// port and every option (the key, the known_hosts file): a connection set up with other
/// options, another key file or another list of trusted host keys gets its own master,
/// whose host key is checked when it connects, as any new connection's.
public enum SshSharing {
    /// How long a master outlives its last session.
    public static let persistSeconds = 60
    /// `no` (or `0`, `false`) turns sharing off.
    public static let variable = "XENPLAN_SSH_SHARE"

    /// Where the sockets go: `$XDG_RUNTIME_DIR/xenplan-ssh` when that is set and short
    /// enough, else `/tmp/xenplan-ssh-UID`; made 0700 if missing. nil when sharing is turned off; a
    /// directory that cannot be trusted is an error naming why (and the connection goes
    /// without sharing).
    public static func directory(environment: [String: String]) -> Result<String, SharingRefused>? {
        if let value = environment[variable]?.lowercased(), ["no", "0", "false", "off"].contains(value) { return nil }
        let path: String
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/"), Syntax.pathProblem(runtime) == nil,
            runtime.utf8.count + "/xenplan-ssh".count <= maxDirectoryLength
        {
            path = runtime + "/xenplan-ssh"
        } else {
            path = "/tmp/xenplan-ssh-\(getuid())"
        }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            return .failure(SharingRefused("cannot create \(path): \(String(cString: strerror(errno)))"))
        }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            return .failure(SharingRefused("cannot read \(path): \(String(cString: strerror(errno)))"))
        }
        if (info.st_mode & S_IFMT) != S_IFDIR { return .failure(SharingRefused("\(path) is not a directory")) }
        if info.st_uid != getuid() { return .failure(SharingRefused("\(path) belongs to uid \(info.st_uid), not this user")) }
        if info.st_mode & 0o077 != 0 {
            return .failure(SharingRefused("\(path) can be entered by others (mode \(String(info.st_mode & 0o777, radix: 8)))"))
        }
        return .success(path)
    }

    /// A socket's path must fit a Unix socket address (107 bytes): the directory, `/`,
    /// the 32 digits of its name, and the 17 characters ssh adds while it creates it.
    static let maxDirectoryLength = 107 - 1 - 32 - 17

    /// The options that share `connection` (every argument before the remote command)
    /// through a socket in `directory`.
    public static func options(directory: String, connection: [String]) -> [String] {
        let text = connection.joined(separator: "\u{0}")
        let name = StableIdentity.hex(StableIdentity.hash(text)) + StableIdentity.hex(StableIdentity.hash(text, seed: 0x9E37_79B9_7F4A_7C15))
        return [
            "-o", "ControlMaster=auto", "-o", "ControlPath=\(directory)/\(name)", "-o", "ControlPersist=\(persistSeconds)",
        ]
    }

    public struct SharingRefused: Error, Hashable, Sendable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { "ssh connections are not shared: \(message)" }
    }
}
