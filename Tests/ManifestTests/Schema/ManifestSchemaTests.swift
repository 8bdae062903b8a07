import Foundation
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Manifest

/// `ManifestSchema` against the decoder it is built from, the committed
/// `docs/xenplan-manifest.schema.json`, and the manifests of the repository: the valid
/// ones pass it, the broken ones whose errors one file decides alone fail it.
struct ManifestSchemaTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let broken = repository.appendingPathComponent("Tests/ManifestTests/Fixtures/broken")

    func document() throws -> PlainValue { try PlainValue(yaml: ManifestSchema.text) }

    /// The schema's errors for one file's text.
    func errors(_ text: String) throws -> [String] {
        try SchemaValidator(schema: ManifestSchema.text).errors(PlainValue(yaml: text))
    }

    // MARK: - The schema and the decoder

    /// The mappings of the schema, by their name under `$defs`, and the decoder's keys
    /// for each: a key added to the decoder and not to the schema (or the reverse), or a
    /// new kind of mapping in the schema tied to no decoder list, fails here.
    static let decoderKeys: [String: (keys: [String], required: [String])] = [
        "defaults": (ManifestDecoder.defaultsKeys, []),
        "pool": (ManifestDecoder.poolKeys, ManifestDecoder.poolRequiredKeys),
        "image": (ManifestDecoder.imageKeys, ManifestDecoder.imageRequiredKeys),
        "host": (ManifestDecoder.hostKeys, ManifestDecoder.hostRequiredKeys),
        "dom0": (ManifestDecoder.dom0Keys, []),
        "limits": (ManifestDecoder.limitsKeys, []),
        "sim": (ManifestDecoder.simKeys, ManifestDecoder.simKeys),
        "bridge": (ManifestDecoder.bridgeKeys, []),
        "group": (ManifestDecoder.groupKeys, []),
        "domain": (ManifestDecoder.domainKeys, []),
        "cpu": (ManifestDecoder.cpuKeys, []),
        "kernelBoot": (ManifestDecoder.bootKeys, ManifestDecoder.bootRequiredKeys),
        "disk": (ManifestDecoder.diskKeys, ManifestDecoder.diskRequiredKeys),
        "diskSource": (ManifestDecoder.diskSourceKeys, ManifestDecoder.diskSourceKeys),
        "cdrom": (ManifestDecoder.cdromKeys, []),
        "vnc": (ManifestDecoder.vncKeys, []),
        "interface": (ManifestDecoder.nicKeys, ManifestDecoder.nicRequiredKeys),
        "labBackups": (ManifestDecoder.backupKeys, ManifestDecoder.labBackupRequiredKeys),
        "backups": (ManifestDecoder.backupKeys, []),
    ]

    @Test func everyKeyTheDecoderAcceptsIsInTheSchemaAndNoOther() throws {
        #expect(Set(ManifestSchema.topLevel.values.keys) == Set(ManifestDecoder.topLevelKeys))
        #expect(Set(ManifestSchema.objects.map(\.name)) == Set(Self.decoderKeys.keys))
        for (name, object) in ManifestSchema.objects {
            #expect(Set(object.values.keys) == Set(object.keys), "the values described for \(name)")
            // What an editor shows on hovering each key.
            #expect(Set(ManifestSchema.descriptions[name]?.keys ?? [:].keys) == Set(object.keys), "descriptions of \(name)")
        }
        // And in the written document.
        let document = try document()
        #expect(Self.propertyNames(document) == ManifestDecoder.topLevelKeys.sorted())
        for (name, decoder) in Self.decoderKeys {
            let definition = try #require(document["$defs"]?[name], "\(name) under $defs")
            #expect(Self.propertyNames(definition) == decoder.keys.sorted(), "keys of \(name)")
            #expect((definition["required"]?.array ?? []).compactMap(\.string) == decoder.required, "required keys of \(name)")
            #expect(definition["additionalProperties"] == .bool(false), "unknown keys of \(name)")
        }
    }

    static func propertyNames(_ definition: PlainValue) -> [String] {
        guard case let .object(properties)? = definition["properties"] else { return [] }
        return properties.keys.sorted()
    }

    @Test func choicesAndRangesAreTheDecoders() throws {
        let definitions = try #require(try document()["$defs"])
        func property(_ object: String, _ key: String) -> PlainValue? { definitions[object]?["properties"]?[key] }
        #expect(property("domain", "type")?["enum"] == .array(GuestType.allCases.map { .string($0.rawValue) }))
        #expect(property("domain", "state")?["enum"] == .array(DesiredRunState.allCases.map { .string($0.rawValue) }))
        #expect(property("domain", "restart")?["enum"] == .array(RestartPolicy.allCases.map { .string($0.rawValue) }))
        #expect(property("domain", "identityChanges")?["enum"] == .array(IdentitySpec.Changes.allCases.map { .string($0.rawValue) }))
        #expect(property("image", "format")?["enum"] == .array(ImageSpec.Format.allCases.map { .string($0.rawValue) }))
        #expect(property("backups", "consistency")?["enum"] == .array(BackupPolicy.Consistency.allCases.map { .string($0.rawValue) }))
        let vcpus = property("domain", "vcpus")?["anyOf"]?.array?.first
        #expect(vcpus?["minimum"] == .integer(1))
        #expect(vcpus?["maximum"] == .integer(ManifestDecoder.maximumVcpus))
        let memory = property("domain", "memory")?["anyOf"]?.array?.first
        #expect(memory?["minimum"] == .integer(Int(ManifestDecoder.minimumDomainMemory.mib)))
        #expect(memory?["maximum"] == .integer(Int(ByteSize.maximum.mib)))
        #expect(property("backups", "keep")?["anyOf"]?.array?.first?["maximum"] == .integer(BackupPolicy.keepRange.upperBound))
        #expect(definitions["sshKeys"]?["maxItems"] == .integer(Syntax.maximumSSHKeys))
    }

    /// Every `$ref` names a definition, every pattern compiles, and the validator knows
    /// every keyword (it reports one it does not).
    @Test func theSchemaIsWellFormed() throws {
        let validator = try SchemaValidator(schema: ManifestSchema.text)
        var references: [String] = []
        var patterns: [String] = []
        func walk(_ value: PlainValue) {
            switch value {
            case let .object(members):
                for (key, member) in members {
                    if key == "$ref", let target = member.string { references.append(target) }
                    if key == "pattern", let pattern = member.string { patterns.append(pattern) }
                    walk(member)
                }
            case let .array(items): items.forEach(walk)
            default: break
            }
        }
        walk(validator.schema)
        // Strict JSON, not only YAML.
        #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(ManifestSchema.text.utf8)) }
        #expect(!references.isEmpty && !patterns.isEmpty)
        for reference in references {
            #expect(validator.schema["$defs"]?[String(reference.dropFirst("#/$defs/".count))] != nil, "\(reference)")
        }
        for pattern in patterns { #expect(validator.compiles(pattern), "\(pattern)") }
        #expect(validator.errors(.object([:])) == [])
    }

    /// The committed copy is what `xenplan schema` prints; `RECORD_SNAPSHOTS=1` rewrites it.
    @Test func theCommittedSchemaIsTheGeneratedOne() throws {
        let url = Self.repository.appendingPathComponent("docs/xenplan-manifest.schema.json")
        let text = ManifestSchema.text
        #expect(text == (try Snapshot.expected(text, at: url)), "re-record with RECORD_SNAPSHOTS=1")
    }

    // MARK: - Valid manifests pass

    static var exampleFiles: [String] {
        ["examples/lab", "examples/minimal"].flatMap { directory in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: repository.appendingPathComponent(directory).path)) ?? []
            return names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory + "/" + $0 }
        }
    }

    @Test func theExamplesAreFound() {
        #expect(Self.exampleFiles.count == 6)
    }

    @Test(arguments: exampleFiles)
    func anExampleManifestIsValid(_ path: String) throws {
        let text = try String(contentsOf: Self.repository.appendingPathComponent(path), encoding: .utf8)
        #expect(try errors(text) == [])
    }

    /// Each example starts with the line that points the YAML language server at the
    /// committed schema, relative to the file.
    @Test(arguments: exampleFiles)
    func anExampleNamesTheSchema(_ path: String) throws {
        let text = try String(contentsOf: Self.repository.appendingPathComponent(path), encoding: .utf8)
        let line = "# yaml-language-server: $schema=../../docs/xenplan-manifest.schema.json"
        #expect(text.split(separator: "\n").first.map(String.init) == line)
        let schema = Self.repository.appendingPathComponent(path).deletingLastPathComponent()
            .appendingPathComponent("../../docs/xenplan-manifest.schema.json").standardizedFileURL
        #expect(FileManager.default.fileExists(atPath: schema.path))
    }

    @Test func theTestLabsAreValid() throws {
        for text in [TestLab.hosts, TestLab.domains, ImageLabTests.lab, SaveLabTests.lab] {
            #expect(try errors(text) == [])
        }
    }

    /// The property suite's generated labs: every kind of domain it makes, every file.
    @Test(arguments: 1...12)
    func generatedLabsAreValid(_ seed: Int) throws {
        var generator = LabGenerator(seed: UInt64(seed))
        let lab = generator.lab()
        for (name, text) in lab.manifestFiles() {
            #expect(try errors(text) == [], "seed \(seed), \(name)")
        }
    }

    // MARK: - Broken manifests

    /// Broken fixtures with at least one error that one value or one mapping decides:
    /// each has a file the schema refuses.
    static let schemaLevel = [
        "01-unknown-key-suggestion", "02-unknown-key-no-suggestion", "03-unknown-top-level-key", "04-wrong-types",
        "05-missing-required", "15-cpu-weight-and-cap", "25-format-2", "26-bad-mac", "27-multicast-mac", "28-bad-ip",
        "29-name-with-slash", "30-name-dotdot", "31-name-space-and-quotes", "32-name-shell", "33-name-newline",
        "34-name-cyrillic", "35-disk-path-etc-shadow", "36-disk-path-traversal", "39-twenty-digit-numbers",
        "47-unshared-pool-two-hosts", "48-bad-connection", "49-sim-block", "50-bad-vdev", "51-disk-size-and-path",
        "53-out-of-range", "54-boot-paths-and-cmdline", "58-bad-bool-and-enum", "59-bridge-and-interface-names", "90-bridge-vlan",
        "60-top-level-not-a-mapping", "61-defaults-per-domain-keys", "63-bad-volume-group-and-dir-path",
        "65-reserved-domain-names", "67-dir-pool-system-directory", "68-image-hosts-and-pool",
        "69-image-path-format-digest", "70-disk-source", "71-ssh-keys", "72-password-hash-not-echoed",
        "73-identity-keys", "74-interface-addressing", "76-backups-unknown-key", "77-backups-bad-keep",
        "78-backups-bad-consistency", "83-saves-pool", "87-hvm-values", "88-interface-rate-and-vifname",
    ]

    /// Broken fixtures whose every error needs more than one file's mapping: other
    /// values, other files, or the lab merged. Every file of these passes the schema.
    static let beyondTheSchema: [String: String] = [
        "06-duplicate-domain-across-files": "a name defined in two files",
        "07-duplicate-host-pool-group-across-files": "names defined in two files",
        "08-lab-named-twice": "two files name the lab differently",
        "09-defaults-twice": "defaults written in two files",
        "10-duplicate-mac": "a MAC unique across the lab",
        "11-duplicate-ip": "an IP unique across the lab",
        "12-duplicate-vdev-and-disk-name": "a field unique among a domain's disks (uniqueItems compares whole items)",
        "13-memory-over-maxmem": "memory against maxmem, maybe from defaults",
        "14-vcpus-over-maxvcpus": "vcpus against maxvcpus",
        "16-undeclared-host": "a reference to a host",
        "17-undeclared-group": "a reference to a group",
        "18-undeclared-pool": "a reference to a pool",
        "19-undeclared-bridge": "a reference to a host's bridge",
        "20-pool-unreachable": "the hosts a pool reaches",
        "21-spread-group-too-large": "a group against the number of hosts",
        "22-spread-group-same-host": "the hosts of a group's members",
        "23-group-quota": "the sum of a group's members",
        "24-host-capacity": "the sum of a host's domains",
        "40-size-too-large": "a size above 1 PiB written as text: a pattern checks its syntax, not its magnitude",
        "52-no-pool-for-disk": "the pools a domain's host reaches",
        "57-volume-name-collision": "volume names and devices shared between domains",
        "64-maxmem-from-defaults": "memory against a maxmem from defaults",
        "66-path-disk-is-another-domains-volume": "a device against other domains' volumes",
        "75-image-is-a-volume": "an image's path against the lab's volumes",
        "79-backups-lvm-pool": "the type of the pool named",
        "80-backups-unknown-pool": "a reference to a pool",
        "81-backups-no-pool": "a domain's policy against the lab-wide one",
        "82-backups-pool-unreachable": "the hosts a pool reaches",
        "84-saves-from-defaults": "a pool from defaults against the domain's host",
        "85-hvm-keys-on-pv": "a domain's keys against its type, maybe from defaults",
        "86-hvm-boot-and-cdrom": "boot against the type, a CD-ROM against the disks and the lab's images",
        "89-vifname-twice": "a dom0 interface name unique across the lab",
    ]

    /// Broken fixtures refused before any value is read, which a schema never sees: an
    /// editor's YAML parser reports them itself.
    static let beforeTheSchema: [String: String] = [
        "37-alias-bomb": "aliases expanded beyond the loader's bound",
        "38-deep-nesting": "nesting beyond the loader's bound",
        "41-non-utf8": "not UTF-8",
        "42-empty-file": "no document",
        "43-no-manifests": "no file at all",
        "44-tab-indentation": "tabs in indentation",
        "45-duplicate-mapping-keys": "a key twice in a mapping, which a parsed value no longer shows",
        "46-merge-key": "the merge key, which YAML 1.1 tools expand",
        "55-yaml-syntax-error": "a syntax error",
        "56-two-documents": "two documents in a file",
        "62-undefined-alias": "an alias to no anchor",
    ]

    @Test func everyBrokenFixtureIsClassified() throws {
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: Self.broken.path).filter { !$0.hasPrefix(".") }
        let classified = Set(Self.schemaLevel).union(Self.beyondTheSchema.keys).union(Self.beforeTheSchema.keys)
        #expect(Set(fixtures) == classified)
        #expect(Self.schemaLevel.count + Self.beyondTheSchema.count + Self.beforeTheSchema.count == classified.count)
    }

    func manifests(of fixture: String) throws -> [(name: String, text: String)] {
        let directory = Self.broken.appendingPathComponent(fixture)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
        return try names.sorted().map { ($0, try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)) }
    }

    @Test(arguments: schemaLevel)
    func aSchemaLevelFixtureFailsTheSchema(_ fixture: String) throws {
        let refused = try manifests(of: fixture).filter { !(try errors($0.text)).isEmpty }
        #expect(!refused.isEmpty, "\(fixture) passes the schema")
    }

    @Test(arguments: beyondTheSchema.keys.sorted())
    func aFixtureBeyondTheSchemaPassesIt(_ fixture: String) throws {
        for (name, text) in try manifests(of: fixture) {
            #expect(try errors(text) == [], "\(fixture)/\(name)")
        }
    }

    /// What the schema reports, exactly, for a few of them.
    @Test func theErrorsSayWhereAndWhat() throws {
        let text = """
            domains:
              www:
                memroy: 512M
                vcpus: 600
                state: runing
                network: [{bridge: xenbr0, mac: "01:00:5e:00:00:01"}]
            """
        let found = try errors(text)
        #expect(found.contains { $0.hasPrefix("/domains/www/memroy: not allowed") })
        #expect(found.contains { $0.hasPrefix("/domains/www/vcpus: matches none of anyOf") })
        #expect(found.contains { $0.hasPrefix("/domains/www/state: 'runing' is not one of") })
        #expect(found.contains { $0.hasPrefix("/domains/www/network/0/mac: '01:00:5e:00:00:01' does not match") })
        #expect(found.count == 4, "\(found)")
    }
}
