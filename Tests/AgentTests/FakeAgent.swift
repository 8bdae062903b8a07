import Agent
import Foundation
import HostModel
import XenplanBasics
import XenplanTestSupport

/// A fake `ssh` that plays a hostile or broken agent: a bash script given to the real
/// `SshDriver` as its ssh executable, so that the client's reading, deadlines and ssh
/// handling all run as they do against a host. The script answers the hello and the
/// request that follows from files of its folder, built by `FakeAgent.Script`; it uses
/// shell builtins only while it waits, so that stopping it ends everything it runs.
struct FakeAgent {
    struct Script: Sendable {
        /// The hello answer line; nil: never answers the hello.
        var hello: Data? = FakeAgent.line(FakeAgent.validHello)
        /// The answer to the request after the hello; nil: never answers it.
        var reply: Data?
        /// Seconds of waiting (`read -t`) before the reply.
        var delay: Double?
        /// Written to stderr before anything else.
        var stderr: Data?
        /// Exit with this status after the hello instead of reading on.
        var exitAfterHello: Int32?
        /// Exit with this status after the reply instead of waiting for the end of input.
        var exitAfterReply: Int32?
        /// The answer to the request after that one (a client that said hello again).
        var followUp: Data?
    }

    static let validHello =
        #"{"type":"hello","id":1,"version":2,"versions":[2],"xenplan":"0.0.test","host":"cpt18","capabilities":["observe","perform","progress","lock"]}"#

    static func line(_ text: String) -> Data { Data((text + "\n").utf8) }

    static let program = """
        #!/bin/bash
        dir="${0%/*}"
        echo $$ > "$dir/pid"
        [ -f "$dir/stderr" ] && cat "$dir/stderr" >&2
        IFS= read -r hello || exit 0
        printf '%s\n' "$hello" > "$dir/received-hello"
        [ -f "$dir/hello" ] && cat "$dir/hello"
        [ -f "$dir/exit-after-hello" ] && exit "$(<"$dir/exit-after-hello")"
        read -r _ || exit 0
        [ -f "$dir/delay" ] && read -r -t "$(<"$dir/delay")" _
        [ -f "$dir/reply" ] && cat "$dir/reply"
        [ -f "$dir/exit-after-reply" ] && exit "$(<"$dir/exit-after-reply")"
        if [ -f "$dir/follow-up" ]; then read -r _ || exit 0; cat "$dir/follow-up"; fi
        while read -r _; do :; done
        exit 0

        """

    /// The script, written once per test process through a close-on-exec descriptor.
    static let script: Result<URL, any Error> = Result {
        let url = TemporaryDirectory.unusedURL("fake-ssh")
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(fd) }
        guard writeFully(fd, Data(program.utf8)) else { throw CocoaError(.fileWriteUnknown) }
        return url
    }

    let folder: URL

    init(_ script: Script) throws {
        folder = try TemporaryDirectory.create("fake-agent")
        // A link to one script: writing an executable while other tests spawn processes
        // could leave its write descriptor in a child, and exec would fail (ETXTBSY).
        try FileManager.default.createSymbolicLink(
            at: folder.appendingPathComponent("ssh"),
            withDestinationURL: try Self.script.get())
        let files: [(String, Data?)] = [
            ("hello", script.hello), ("reply", script.reply), ("stderr", script.stderr),
            ("delay", script.delay.map { Data(String($0).utf8) }),
            ("exit-after-hello", script.exitAfterHello.map { Data(String($0).utf8) }),
            ("exit-after-reply", script.exitAfterReply.map { Data(String($0).utf8) }),
            ("follow-up", script.followUp),
        ]
        for case let (name, data?) in files { try data.write(to: folder.appendingPathComponent(name)) }
    }

    /// The real client, reaching this fake through ssh's argument vector.
    func driver(
        limits: AgentLimits,
        target: SshTarget = SshTarget(user: "root", address: "cpt18.example.org", port: nil)
    ) -> SshDriver {
        SshDriver(
            hostName: "cpt18", target: target, clientVersion: "0.0.test", sshExecutable: folder.appendingPathComponent("ssh"),
            limits: limits)
    }

    /// The hello line the client sent.
    func receivedHello() throws -> String {
        try String(contentsOf: folder.appendingPathComponent("received-hello"), encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    // MARK: - Host states as an agent writes them

    /// One guest's JSON, with any field replaced by raw JSON text.
    static func domain(_ fields: [String: String] = [:]) -> String {
        var all: [(String, String)] = [
            ("name", #""ldap""#), ("domid", "3"), ("uuid", #""6a1b9c0e-3d5f-4e2a-9b7c-0d1e2f3a4b5c""#),
            ("state", #""running""#), ("memoryTarget", #"{"kib":262144}"#), ("memoryStaticMax", #"{"kib":524288}"#),
            ("memoryActual", #"{"kib":262144}"#), ("vcpusOnline", "1"), ("maxVcpus", "2"), ("cpuWeight", "256"),
            ("cpuCap", "0"), ("type", #""pv""#), ("disks", "[]"), ("nics", "[]"),
        ]
        all = all.map { ($0.0, fields[$0.0] ?? $0.1) }
        all += fields.filter { key, _ in !all.contains { $0.0 == key } }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return "{" + all.filter { $0.1 != "-" }.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    static let dom0 = domain([
        "name": #""Domain-0""#, "domid": "0", "uuid": #""00000000-0000-0000-0000-000000000000""#,
        "memoryTarget": #"{"kib":4194304}"#, "memoryStaticMax": #"{"kib":4194304}"#,
        "memoryActual": #"{"kib":4194304}"#, "vcpusOnline": "2",
    ])

    /// A `state` answer to request 2; `fields` replace top-level state fields by raw JSON
    /// (`"-"` leaves one out), `domains` the guests after Domain-0.
    static func state(_ fields: [String: String] = [:], domains: [String] = [domain()], extra: String = "") -> Data {
        var all: [(String, String)] = [
            ("name", #""cpt18""#), ("xenVersion", #""4.17.7""#), ("totalMemory", #"{"kib":50331648}"#),
            ("freeMemory", #"{"kib":31457280}"#), ("cpus", "16"), ("dom0Memory", #"{"kib":4194304}"#),
            ("domains", "[" + ([dom0] + domains).joined(separator: ",") + "]"), ("configs", "[]"), ("volumes", "[]"),
            ("bridges", #"[{"name":"xenbr0","interfaces":["eth0"]}]"#),
        ]
        all = all.map { ($0.0, fields[$0.0] ?? $0.1) }
        let body = all.filter { $0.1 != "-" }.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",")
        return line(#"{"type":"state","id":2,"state":{"# + body + "}" + extra + "}")
    }
}
