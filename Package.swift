// swift-tools-version:6.0
import PackageDescription

/// `-DNAME="value"` for XenplanBuildInfo's C file, from the environment of `swift build`:
/// the commit `xenplan --version` names, which the Makefile sets from git (a plain
/// `swift build` leaves it out: "commit unknown"). Only the characters a commit hash or
/// a date can have are taken, so that no value can become C code.
func buildStamp(_ name: String, characters: String) -> [CSetting] {
    guard let value = Context.environment[name], !value.isEmpty, value.count <= 64,
        value.allSatisfy({ characters.contains($0) })
    else { return [] }
    return [.define(name, to: "\"\(value)\"")]
}

let buildInfoSettings =
    buildStamp("XENPLAN_COMMIT", characters: "0123456789abcdef-dirty")
    + buildStamp("XENPLAN_COMMIT_DATE", characters: "0123456789-")

let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")

let package = Package(
    name: "xenplan",
    products: [
        .executable(name: "xenplan", targets: ["xenplan"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(name: "XenplanBasics", exclude: ["README.md"]),
        // libyaml, linked from its static archive (see Sources/CYAML), under our own tree.
        .systemLibrary(name: "CYAML", path: "Sources/CYAML", providers: [.apt(["libyaml-dev"])]),
        .target(name: "XenplanYAML", dependencies: ["CYAML"], exclude: ["README.md"]),
        .target(name: "Manifest", dependencies: ["XenplanBasics", "XenplanYAML"], exclude: ["README.md"]),
        .target(name: "HostModel", dependencies: ["XenplanBasics"], exclude: ["README.md"]),
        .target(name: "Planner", dependencies: ["XenplanBasics", "Manifest", "HostModel"], exclude: ["README.md"]),
        .target(name: "SimDriver", dependencies: ["XenplanBasics", "HostModel", logging], exclude: ["README.md"]),
        .target(
            name: "Executor", dependencies: ["XenplanBasics", "Manifest", "HostModel", "Planner", logging],
            exclude: ["README.md"]),
        .systemLibrary(name: "CXen", path: "Sources/CXen", providers: [.apt(["libxen-dev"])]),
        .target(name: "XenDriver", dependencies: ["XenplanBasics", "HostModel", "CXen", logging], exclude: ["README.md"]),
        .target(name: "Agent", dependencies: ["XenplanBasics", "HostModel", "XenplanYAML", logging], exclude: ["README.md"]),
        .target(name: "XenplanBuildInfo", exclude: ["README.md"], cSettings: buildInfoSettings),
        .target(
            name: "XenplanCLI",
            dependencies: [
                "XenplanBasics", "Manifest", "HostModel", "Planner", "SimDriver", "XenDriver",
                "Executor", "Agent", "XenplanBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                logging,
            ],
            exclude: ["README.md"]
        ),
        .executableTarget(name: "xenplan", dependencies: ["XenplanCLI"], exclude: ["README.md"]),
        .executableTarget(
            name: "xenplan-bench",
            dependencies: ["XenplanBasics", "Manifest", "HostModel", "Planner", "SimDriver", "Executor"],
            path: "Sources/XenplanBench",
            exclude: ["README.md"]
        ),
        .target(
            name: "XenplanTestSupport",
            dependencies: ["XenplanBasics", "Manifest", "HostModel", "Executor"],
            exclude: ["README.md"]
        ),
        .testTarget(name: "XenplanBasicsTests", dependencies: ["XenplanBasics"]),
        .testTarget(name: "XenplanYAMLTests", dependencies: ["XenplanYAML"]),
        .testTarget(name: "HostModelTests", dependencies: ["HostModel", "XenplanTestSupport"]),
        .testTarget(
            name: "ManifestTests",
            dependencies: ["Manifest", "XenplanTestSupport", "XenplanYAML"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "PlannerTests", dependencies: ["Planner", "XenplanTestSupport"]),
        .testTarget(name: "SimDriverTests", dependencies: ["SimDriver", "XenplanTestSupport"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "SimDriver", "XenplanTestSupport"]),
        .testTarget(name: "ExecutorTests", dependencies: ["Executor", "SimDriver", "XenplanTestSupport"]),
        .testTarget(
            name: "XenDriverTests",
            dependencies: ["XenDriver", "XenplanTestSupport", "HostModel"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "PropertyTests",
            dependencies: ["Executor", "Planner", "SimDriver", "Manifest", "HostModel", "XenplanTestSupport", "XenplanBasics"]
        ),
        .testTarget(
            name: "XenplanCLITests",
            dependencies: ["XenplanCLI", "XenplanTestSupport", "Manifest", "Planner", "SimDriver", "HostModel"],
            exclude: ["Golden"]
        ),
    ]
)
