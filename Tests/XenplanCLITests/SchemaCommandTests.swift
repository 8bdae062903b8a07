import Foundation
import Testing

@Suite struct SchemaCommandTests {
    /// `xenplan schema` prints the committed schema, byte for byte (which
    /// `ManifestSchemaTests` holds to the generator).
    @Test func printsTheCommittedSchema() throws {
        let result = try Binary.run(["schema"])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let committed = try String(contentsOf: Repository.root.appendingPathComponent("docs/xenplan-manifest.schema.json"), encoding: .utf8)
        #expect(result.stdout == committed)
        #expect(result.stdout.hasPrefix("{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n"))
    }
}
