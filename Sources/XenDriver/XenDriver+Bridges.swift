import CXen
import FoundationEssentials
import HostModel
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension XenDriver {
    /// `ip link add NAME type bridge`; with an interface, its port (the VLAN interface
    /// `IFACE.VLAN` made first when a VLAN is declared and it does not exist yet)
    /// enslaved and up; the bridge up.
    func createBridge(name: String, interface: String?, vlan: Int?) async throws {
        let kind = "create-bridge"
        try await run(XenCommands.bridgeAdd(name), operation: kind)
        if let interface {
            var port = interface
            if let vlan {
                port = "\(interface).\(vlan)"
                try await run(XenCommands.linkUp(interface), operation: kind)
                if !interfaceExists(port) { try await run(XenCommands.vlanAdd(interface, vlan: vlan), operation: kind) }
            }
            try await run(XenCommands.enslave(port, to: name), operation: kind)
            try await run(XenCommands.linkUp(port), operation: kind)
        }
        try await run(XenCommands.linkUp(name), operation: kind)
    }

    private func interfaceExists(_ name: String) -> Bool { access("\(paths.sysClassNet)/\(name)", F_OK) == 0 }

    /// The bridge's ifupdown file, written atomically (0644) at the path this host fixes.
    /// A file of that name without xenplan's marker is someone else's: refused.
    func writeBridgeFile(_ file: BridgeFile) throws {
        let kind = "write-bridge-file"
        try checkBridgeFile(file)
        let path = paths.bridgeFilePath(file.bridge)
        if case .foreign = readBridgeFile(path) {
            throw failure(kind, "\(path) exists and was not written by xenplan (no marker on its first line): left alone")
        }
        try FileManager.default.createDirectory(
            atPath: paths.bridgeFileDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        // A name starting with `.`: neither `source …/*` nor `source-directory` reads it,
        // so a temporary file left by a crash never configures anything at boot.
        try writeAtomically(
            file.text, to: path, temporary: TemporaryName.beside(file.fileName, in: paths.bridgeFileDirectory), mode: 0o644,
            operation: kind, domain: nil)
    }

    /// Removes the bridge's ifupdown file if it is xenplan's; any other file stays.
    func removeBridgeFile(_ bridge: String) throws {
        let kind = "remove-bridge-file"
        guard Syntax.isName(bridge), bridge.utf8.count <= 15 else { throw failure(kind, "\(shownValue(bridge)) is not a bridge name") }
        let path = paths.bridgeFilePath(bridge)
        switch readBridgeFile(path) {
        case .absent: return
        case .foreign: throw failure(kind, "\(path) was not written by xenplan (no marker on its first line): left alone")
        case .ours:
            if unlink(path) != 0 && errno != ENOENT { throw posixFailure(kind, nil, "cannot remove \(path)") }
        }
    }

    private func checkBridgeFile(_ file: BridgeFile) throws(XlConfigError) {
        try XenCommands.check(Syntax.isName(file.bridge) && file.bridge.utf8.count <= 15, "\(shownValue(file.bridge)) is not a bridge name")
        if let interface = file.interface {
            try XenCommands.check(
                XlConfig.validInterface(interface) && !interface.hasPrefix("-"), "\(shownValue(interface)) is not an interface name")
        }
        if let vlan = file.vlan {
            try XenCommands.check(file.interface != nil, "a VLAN needs an interface")
            try XenCommands.check(BridgeFile.vlanRange.contains(vlan), "VLAN id \(vlan) is outside 1–4094")
            try XenCommands.check(XlConfig.validInterface(file.port ?? ""), "\(shownValue(file.port ?? "")) is not an interface name")
        }
    }

    enum BridgeFileContent {
        case absent, foreign
        case ours(String)
    }

    /// A file in the bridge file directory: xenplan's when its first line is the marker
    /// (read whole, up to `BridgeFile.maxBytes`), someone else's otherwise.
    func readBridgeFile(_ path: String) -> BridgeFileContent {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return errno == ENOENT ? .absent : .foreign }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size <= BridgeFile.maxBytes else { return .foreign }
        var buffer = [UInt8](repeating: 0, count: BridgeFile.maxBytes + 1)
        let n = read(fd, &buffer, buffer.count)
        guard n >= 0, n <= BridgeFile.maxBytes, let text = String(validating: buffer[..<n], as: UTF8.self) else { return .foreign }
        return text.hasPrefix(BridgeFile.marker + "\n") ? .ours(text) : .foreign
    }

    /// What makes bridges persist on this host, and xenplan's files (only those with the
    /// marker; nothing else in the directory is read beyond its first bytes).
    func observePersistence() -> BridgePersistence {
        let interfaces = try? String(contentsOfFile: "\(paths.networkDirectory)/interfaces", encoding: .utf8)
        var files: [ObservedBridgeFile] = []
        let names = (try? FileManager.default.contentsOfDirectory(atPath: paths.bridgeFileDirectory)) ?? []
        for name in names.sorted() {
            guard let bridge = BridgeFile.bridge(fileName: name), case let .ours(text) = readBridgeFile("\(paths.bridgeFileDirectory)/\(name)")
            else { continue }
            files.append(ObservedBridgeFile(bridge: bridge, text: text))
        }
        return BridgePersistence(
            ifupdown: interfaces != nil,
            sourcesDirectory: interfaces.map { Self.sourcesBridgeFiles($0, networkDirectory: paths.networkDirectory) } ?? false,
            bridgeUtils: access("\(paths.networkDirectory)/if-pre-up.d/bridge", F_OK) == 0,
            files: files)
    }

    /// Whether an `interfaces` file reads `interfaces.d`: `source` of a pattern in it
    /// (`/etc/network/interfaces.d/*`) or `source-directory` of it, absolute or relative
    /// to the network directory, as ifupdown resolves them.
    static func sourcesBridgeFiles(_ text: String, networkDirectory: String) -> Bool {
        let directories = ["interfaces.d", BridgeFile.directory, "\(networkDirectory)/interfaces.d"]
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard words.count == 2 else { continue }
            var target = words[1]
            while target.hasSuffix("/") { target.removeLast() }
            switch words[0] {
            case "source":
                if target.hasSuffix("/*"), directories.contains(String(target.dropLast(2))) { return true }
            case "source-directory":
                if directories.contains(target) { return true }
            default: continue
            }
        }
        return false
    }

    /// The VLAN interfaces the kernel knows (`/proc/net/vlan/config`, absent when no VLAN
    /// was ever made): `NAME | ID | PARENT` after two header lines.
    func observeVlans() -> [String: VlanPort] {
        guard let text = try? String(contentsOfFile: paths.vlanConfig, encoding: .utf8) else { return [:] }
        return Self.parseVlanConfig(text)
    }

    static func parseVlanConfig(_ text: String) -> [String: VlanPort] {
        var ports: [String: VlanPort] = [:]
        for line in text.split(whereSeparator: \.isNewline).dropFirst(2) {
            let fields = line.split(separator: "|").map { $0.trimmingSpaces() }
            guard fields.count == 3, let id = Int(fields[1]), !fields[0].isEmpty, !fields[2].isEmpty else { continue }
            ports[fields[0]] = VlanPort(name: fields[0], parent: fields[2], id: id)
        }
        return ports
    }
}
