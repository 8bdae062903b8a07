import Dispatch
import FoundationEssentials
import XenplanBasics
import XenplanYAML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A lab that loaded without errors, and the warnings found on the way.
public struct LoadedLab: Sendable {
    public var lab: Lab
    /// Sorted by location.
    public var warnings: [Diagnostic]

    public init(lab: Lab, warnings: [Diagnostic]) {
        self.lab = lab
        self.warnings = warnings
    }
}

/// Reads, merges and validates a directory of manifests.
public enum ManifestLoader {
    /// Files larger than this are refused unread: a manifest is a few KiB.
    public static let maximumFileSize = 4 * 1024 * 1024

    /// Reads every `*.yaml` / `*.yml` file directly in `directory` (name order), merges,
    /// applies defaults, validates. Diagnostics' file paths are `directory` joined with
    /// the file name exactly as given (e.g. `examples/lab/domains.yaml`).
    ///
    /// - Throws: every problem found (errors and warnings), sorted by location.
    public static func load(directory: String) throws(DiagnosticsError) -> LoadedLab {
        let names: [String]
        guard let kind = PathKind.of(directory) else { throw DiagnosticsError([.noSuchDirectory(directory)]) }
        guard kind == .directory else { throw DiagnosticsError([.notADirectory(directory)]) }
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw DiagnosticsError([.unreadableDirectory(directory)])
        }
        let manifests = names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }.sorted()
        guard !manifests.isEmpty else { throw DiagnosticsError([.noManifests(directory)]) }

        var files: [(path: String, contents: [UInt8])] = []
        var problems: [Diagnostic] = []
        for name in manifests {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            switch readManifest(path) {
            case let .bytes(bytes): files.append((path, bytes))
            case let .refused(diagnostic): problems.append(diagnostic)
            }
        }
        guard problems.isEmpty else { throw DiagnosticsError(problems.sortedByLocation()) }
        return try load(files: files)
    }

    /// The same from in-memory files (path, bytes), in the order given.
    ///
    /// - Throws: every problem found (errors and warnings), sorted by location.
    public static func load(files: [(path: String, contents: [UInt8])]) throws(DiagnosticsError) -> LoadedLab {
        guard !files.isEmpty else { throw DiagnosticsError([.error("no manifest files were given", at: nil)]) }
        // Files are independent until they are merged: parse and decode them on every core.
        let results = PerFileResults(count: files.count)
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            let file = files[i]
            switch parse(SourceText(path: file.path, bytes: file.contents)) {
            case let .success(root):
                let (decoded, problems) = ManifestDecoder.decode(root: root, path: file.path)
                results.store(i, .decoded(decoded, problems))
            case let .failure(error):
                results.store(i, .unparsable(error.diagnostics))
            }
        }
        var diagnostics: [Diagnostic] = []
        var decoded: [ManifestFile] = []
        var decodeProblems: [Diagnostic] = []
        var formatErrors: [Diagnostic] = []
        for result in results.all {
            switch result {
            case let .unparsable(problems):
                diagnostics += problems
            case let .decoded(file, problems):
                decoded.append(file)
                decodeProblems += problems
                if file.hasUnsupportedFormat { formatErrors += problems }
            }
        }
        // A file that does not parse leaves holes (undeclared hosts, pools…) that would
        // only produce misleading errors elsewhere: report the parse errors alone.
        guard !diagnostics.hasErrors else { throw DiagnosticsError(diagnostics.sortedByLocation()) }
        diagnostics += decodeProblems
        // A newer format's keys would only produce noise: stop at the format error.
        guard formatErrors.isEmpty else { throw DiagnosticsError(formatErrors.sortedByLocation()) }

        let (lab, problems) = LabAssembler.assemble(decoded, contentHash: ContentHash.of(files))
        diagnostics += problems
        guard !diagnostics.hasErrors else { throw DiagnosticsError(diagnostics.sortedByLocation()) }
        return LoadedLab(lab: lab, warnings: diagnostics.sortedByLocation())
    }

    /// Bytes → checked YAML tree: UTF-8, emptiness, then the bounded composer.
    static func parse(_ source: SourceText) -> Result<Node, DiagnosticsError> {
        if let offset = source.firstInvalidUTF8Offset {
            return .failure(DiagnosticsError([.invalidUTF8(at: source.location(ofByte: offset), byte: source.bytes[offset])]))
        }
        if source.isBlank { return .failure(DiagnosticsError([.emptyFile(source.path)])) }
        let outcome = YAMLGuard(source: source).run()
        if !outcome.diagnostics.isEmpty { return .failure(DiagnosticsError(outcome.diagnostics)) }
        if outcome.isEmpty { return .failure(DiagnosticsError([.emptyFile(source.path)])) }
        guard let root = outcome.root, !isNull(root) else { return .failure(DiagnosticsError([.emptyFile(source.path)])) }
        return .success(root)
    }

    private static func isNull(_ node: Node) -> Bool {
        guard case let .scalar(scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private enum ReadOutcome {
        case bytes([UInt8])
        case refused(Diagnostic)
    }

    /// Reads at most `maximumFileSize` bytes of a regular file; anything else (a
    /// directory, a FIFO, a device named `*.yaml`) is refused without blocking on it.
    private static func readManifest(_ path: String) -> ReadOutcome {
        var info = stat()
        guard stat(path, &info) == 0 else { return .refused(.error("cannot read the file", at: .file(path))) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return .refused(.error("not a regular file; only files are read as manifests", at: .file(path)))
        }
        guard Int(info.st_size) <= maximumFileSize else { return .refused(.fileTooLarge(path, limit: maximumFileSize)) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .refused(.error("cannot read the file", at: .file(path))) }
        defer { close(fd) }
        // Read to the end, or to just past the limit: a file that grew since `stat` is
        // refused like one that was too large.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size) + 1)
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while bytes.count <= maximumFileSize {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return .refused(.error("cannot read the file", at: .file(path))) }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[..<n])
        }
        guard bytes.count <= maximumFileSize else { return .refused(.fileTooLarge(path, limit: maximumFileSize)) }
        return .bytes(bytes)
    }
}

extension Diagnostic {
    static func noSuchDirectory(_ path: String) -> Diagnostic {
        .error("directory '\(path)' does not exist", at: nil)
    }

    static func notADirectory(_ path: String) -> Diagnostic {
        .error("'\(path)' is not a directory; give the directory that holds the manifests", at: nil)
    }

    static func unreadableDirectory(_ path: String) -> Diagnostic {
        .error("directory '\(path)' cannot be read", at: nil)
    }

    static func noManifests(_ path: String) -> Diagnostic {
        .error("directory '\(path)' holds no manifests (*.yaml or *.yml files)", at: nil)
    }
}

/// One slot per file, each written by exactly one iteration of `concurrentPerform` and
/// read only after it returns: that is the synchronisation, hence `@unchecked Sendable`.
private final class PerFileResults: @unchecked Sendable {
    enum Result {
        case unparsable([Diagnostic])
        case decoded(ManifestFile, [Diagnostic])
    }

    private var slots: [Result?]
    private let lock = Lock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ index: Int, _ result: Result) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    var all: [Result] { slots.compactMap { $0 } }
}
