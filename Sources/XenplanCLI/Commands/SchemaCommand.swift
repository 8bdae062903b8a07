import ArgumentParser
import FoundationEssentials
import Manifest
import XenplanBasics

/// `xenplan schema`: the JSON Schema of a manifest file, for editors. The same text is
/// committed as `docs/xenplan-manifest.schema.json`.
struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of a manifest file, for editors.",
        discussion: """
            The schema checks each file alone (keys, types, choices, ranges, syntax); `xenplan validate` \
            also checks what involves several values or files. docs/manifest.md tells how to point an editor at it.
            """
    )

    func run() async throws {
        _ = writeFully(1, Data(ManifestSchema.text.utf8))
    }
}
