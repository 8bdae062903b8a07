import ArgumentParser
import FoundationEssentials
import HostModel
import Manifest
import SimDriver
import XenplanBasics

/// `xenplan sim`: control simulated hosts (docs/commands.md).
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Control simulated hosts: reset, out-of-band changes, fault injection.",
        subcommands: [Reset.self, Xl.self, Fail.self, ImageFile.self, Show.self]
    )

    /// `sim reset [DIR]`: back to the committed starting point, with the lab's images.
    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the working copies of simulated hosts, so that the committed seeds apply again.",
            discussion: "With DIR, every image the manifests declare is then put on its simulated hosts.")

        @Argument(help: "Directory of manifests whose images are put on their simulated hosts (default: none).")
        var directory: String?

        @OptionGroup var state: StateOptions

        func run() async throws {
            try await guarded {
                // Read before anything is removed: invalid manifests leave the hosts as they are.
                let lab = try directory.map { try ManifestLoader.load(directory: $0).lab }
                let stateURL = URL(fileURLWithPath: state.path)
                let names = (try? FileManager.default.contentsOfDirectory(atPath: stateURL.path)) ?? []
                var hosts: [String] = []
                for name in names.sorted() {
                    let isLive = name.hasSuffix(".live.json"), isLock = name.hasSuffix(".sim.lock")
                    guard isLive || isLock else { continue }
                    let path = stateURL.appendingPathComponent(name).path
                    do {
                        try FileManager.default.removeItem(atPath: path)
                    } catch {
                        throw UserFacingError("cannot remove \(path): \(ErrorText.of(error))")
                    }
                    if isLive { hosts.append(String(name.dropLast(".live.json".count))) }
                }
                if hosts.isEmpty {
                    Console.out("Nothing to reset in \(state.path): no simulated host has a working copy.")
                } else {
                    Console.out("Reset \(hosts.joined(separator: ", ")) in \(state.path): the committed seeds apply again.")
                }
                if let lab {
                    for line in try Self.placeImages(of: lab, stateDirectory: state.path) { Console.out(line) }
                }
            }
        }

        /// Puts every image `lab` declares on each of its simulated hosts (opened as any
        /// command would: the working copy, else the seed, else the machine of `sim:`),
        /// with the declared sha256, so that guests can be created from it at once.
        /// Returns one line per image placed.
        static func placeImages(of lab: Lab, stateDirectory: String) throws -> [String] {
            var lines: [String] = []
            for image in lab.images {
                var placed: [String] = []
                for name in image.hosts {
                    guard let host = lab.host(name), host.connection == .sim,
                        let driver = try HostConnector.driver(for: host, in: lab, stateDirectory: stateDirectory) as? SimDriver
                    else { continue }
                    try driver.setImage(image.path, to: HostConnector.simImage(image))
                    placed.append(name)
                }
                if !placed.isEmpty {
                    lines.append("Image \(image.name) (\(image.path)) in place on \(placed.joined(separator: ", ")).")
                }
            }
            return lines
        }
    }

    /// `sim xl HOST ARGS…`: a change behind xenplan's back.
    struct Xl: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a simulated host behind xenplan's back, as a person with xl would.",
            discussion: SimXl.usage)

        @OptionGroup var state: StateOptions

        @Argument(help: "The simulated host.")
        var host: String

        @Argument(parsing: .allUnrecognized, help: "The xl-like command and its arguments (see below).")
        var arguments: [String] = []

        func run() async throws {
            try await guarded {
                let xl = SimXl(stateDirectory: URL(fileURLWithPath: state.path), host: host)
                Console.out("\(host): " + (try xl.run(arguments)))
            }
        }
    }

    /// `sim fail HOST OPERATION`: fault injection.
    struct Fail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the next N operations of a kind fail on a simulated host.",
            discussion: "OPERATION is one of: \(HostOperation.allKinds.joined(separator: ", ")).")

        @OptionGroup var state: StateOptions

        @Argument(help: "The simulated host.")
        var host: String

        @Argument(help: "The operation kind.")
        var operation: String

        @Option(help: "How many operations fail.")
        var times: Int = 1

        @Option(help: "The error message they fail with (default: simulated failure of OPERATION).")
        var message: String?

        func run() async throws {
            try await guarded {
                guard HostOperation.allKinds.contains(operation) else {
                    throw UserFacingError(
                        "unknown operation '\(operation)'; one of: \(HostOperation.allKinds.joined(separator: ", "))")
                }
                guard times >= 1 else { throw UserFacingError("--times must be at least 1, not \(times)") }
                let driver = SimDriver(stateDirectory: URL(fileURLWithPath: state.path), host: host)
                try driver.fail(operation, times: times, message: message)
                Console.out("\(host): the next \(times == 1 ? "" : "\(times) ")\(operation) operation\(times == 1 ? "" : "s") will fail.")
            }
        }
    }

    /// `sim image HOST PATH`: an image file put on a host (or removed) by hand.
    struct ImageFile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "image",
            abstract: "Put a disk image file on a simulated host, or remove it.",
            discussion: """
                Defaults: raw, \(SimHostFile.Image.defaultSize), a virtual size equal to the size, and a \
                made-up sha256 derived from PATH and the size. In a shared image directory the file \
                appears on every host that shares it.
                """)

        @OptionGroup var state: StateOptions

        @Argument(help: "The simulated host.")
        var host: String

        @Argument(help: "The image's absolute path on the host.")
        var path: String

        @Option(help: "The file's size (512M, 2G; a bare number is MiB).")
        var size: String?

        @Option(help: "The size of the disk it holds (qcow2; a raw image's is its size).")
        var virtualSize: String?

        @Option(help: "raw or qcow2.")
        var format: String?

        @Option(help: "The file's SHA-256, 64 lower-case hex digits.")
        var sha256: String?

        @Flag(help: "Remove the image instead.")
        var remove = false

        func run() async throws {
            try await guarded {
                let driver = SimDriver(stateDirectory: URL(fileURLWithPath: state.path), host: host)
                if remove {
                    guard size == nil, virtualSize == nil, format == nil, sha256 == nil else {
                        throw UserFacingError("--remove takes no --size, --virtual-size, --format or --sha256")
                    }
                    let hosts = try driver.setImage(path, to: nil)
                    Console.out("\(hosts.joined(separator: ", ")): image \(path) removed.")
                    return
                }
                let fileSize = try size.map { try Self.size($0, option: "--size") } ?? SimHostFile.Image.defaultSize
                let image = SimHostFile.Image.placed(
                    at: path, fileSize: fileSize, virtualSize: try virtualSize.map { try Self.size($0, option: "--virtual-size") },
                    format: format ?? "raw", sha256: sha256)
                let hosts = try driver.setImage(path, to: image)
                let holding = image.format == "raw" ? "" : " holding \(image.virtualSize)"
                Console.out(
                    "\(hosts.joined(separator: ", ")): image \(path) in place: \(image.format), "
                        + "\(image.fileSize)\(holding), sha256 \(image.sha256).")
            }
        }

        static func size(_ text: String, option: String) throws -> ByteSize {
            do {
                return try ByteSize.parse(text)
            } catch {
                throw UserFacingError("\(option) \(shownValue(text)) is not a size (examples: 512M, 2G, 2048)")
            }
        }
    }

    /// `sim show HOST`: the host's file, or what `observe()` returns.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a simulated host as JSON.")

        @OptionGroup var state: StateOptions

        @Argument(help: "The simulated host.")
        var host: String

        @Flag(help: "Print the observed state (what plan and status read) instead of the simulator's file.")
        var observed = false

        func run() async throws {
            try await guarded {
                let driver = SimDriver(stateDirectory: URL(fileURLWithPath: state.path), host: host)
                let data: Data
                if observed {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    data = try encoder.encode(try await driver.observe())
                } else {
                    data = try driver.file().encoded()
                }
                Console.out(String(decoding: data, as: UTF8.self).trimmingNewlines())
            }
        }
    }
}
