import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

/// Image files put on a simulated host by hand, and the host's file with and without them.
@Suite struct ImageFileTests {
    static let sha = String(repeating: "0f", count: 32)

    @Test func placedImageDefaultsAreStable() {
        let image = SimHostFile.Image.placed(at: "/srv/images/debian-12.raw", fileSize: .gib(2))
        #expect(image.virtualSize == .gib(2))
        #expect(image.format == "raw")
        #expect(image.sha256 == SimHostFile.Image.placed(at: "/srv/images/debian-12.raw", fileSize: .gib(2)).sha256)
        #expect(image.sha256 != SimHostFile.Image.placed(at: "/srv/images/debian-12.raw", fileSize: .gib(3)).sha256)
        #expect(image.sha256 != SimHostFile.Image.placed(at: "/srv/images/debian-13.raw", fileSize: .gib(2)).sha256)
        #expect(image.problem == nil)
    }

    @Test(
        arguments: [
            (
                "relative", SimHostFile.Image(fileSize: .gib(1), sha256: sha),
                "image path 'images/x.raw' is not an absolute path without spaces or shell characters"
            ),
            (
                "format", SimHostFile.Image(fileSize: .gib(1), format: "vhd", sha256: sha),
                "image /srv/x.raw has format 'vhd', not raw or qcow2"
            ),
            (
                "upper-case digest", SimHostFile.Image(fileSize: .gib(1), sha256: sha.uppercased()),
                "image /srv/x.raw has sha256 '\(String(repeating: "0F", count: 24))…', not 64 lower-case hex digits"
            ),
            (
                "short digest", SimHostFile.Image(fileSize: .gib(1), sha256: "abc"),
                "image /srv/x.raw has sha256 'abc', not 64 lower-case hex digits"
            ),
            (
                "raw with another virtual size", SimHostFile.Image(fileSize: .gib(1), virtualSize: .gib(4), sha256: sha),
                "image /srv/x.raw is raw, so its virtual size is its size (1 GiB), not 4 GiB"
            ),
            (
                "empty", SimHostFile.Image(fileSize: .zero, sha256: sha),
                "image /srv/x.raw: a size must be more than 0 and at most 1 PiB, not 0 MiB"
            ),
        ] as [(String, SimHostFile.Image, String)])
    func refusedImage(_ label: String, _ image: SimHostFile.Image, _ message: String) throws {
        let fx = SimFixture()
        let driver = fx.driver()
        let path = label == "relative" ? "images/x.raw" : "/srv/x.raw"
        #expect(throws: SimError(message)) { try driver.setImage(path, to: image) }
        #expect(try driver.file().images.isEmpty)
    }

    @Test func replacedThenRemoved() throws {
        let fx = SimFixture()
        let driver = fx.driver()
        let qcow = SimHostFile.Image(fileSize: .mib(700), virtualSize: .gib(10), format: "qcow2", sha256: Self.sha)
        #expect(try driver.setImage("/srv/x.img", to: SimHostFile.Image(fileSize: .gib(1), sha256: Self.sha)) == ["cpt18"])
        #expect(try driver.setImage("/srv/x.img", to: qcow) == ["cpt18"])
        #expect(try driver.file().images == ["/srv/x.img": qcow])
        #expect(try driver.setImage("/srv/x.img", to: nil) == ["cpt18"])
        #expect(try driver.file().images.isEmpty)
        #expect(throws: SimError("cpt18 has no image /srv/x.img")) { try driver.setImage("/srv/x.img", to: nil) }
    }

    /// A file in a shared image directory is on every host that mounts it; elsewhere on one host.
    @Test func sharedDirectoryShowsTheImageEverywhere() async throws {
        let fx = SimFixture()
        let cpt18 = fx.driver(), cpt76 = fx.driver("cpt76"), cpt99 = fx.driver("cpt99")
        for driver in [cpt18, cpt76] {
            try driver.edit { $0.storage["/srv/nfs"] = SimHostFile.Container(type: .dir, capacity: .gib(100), shared: true) }
        }
        try cpt99.edit { $0.storage["/srv/nfs"] = SimHostFile.Container(type: .dir, capacity: .gib(100)) }
        let image = SimHostFile.Image(fileSize: .gib(2), sha256: Self.sha)
        #expect(try cpt18.setImage("/srv/nfs/debian.raw", to: image) == ["cpt18", "cpt76"])
        #expect(try await cpt76.observe().images.map(\.path) == ["/srv/nfs/debian.raw"])
        #expect(try await cpt99.observe().images.isEmpty)
        #expect(try cpt76.setImage("/srv/local.raw", to: image) == ["cpt76"])
        #expect(try cpt76.setImage("/srv/nfs/debian.raw", to: nil) == ["cpt76", "cpt18"])
        #expect(try await cpt18.observe().images.isEmpty)
    }

    /// A file written before images and seeds were modelled reads as having none, and a
    /// host without any keeps that layout when written.
    @Test func filesWithoutImagesOrSeeds() throws {
        let old = try SimHostFile.decode(Data(HostileFileTests.file().utf8))
        #expect(old.images.isEmpty)
        #expect(old.seeds.isEmpty)
        let text = String(decoding: try old.encoded(), as: UTF8.self)
        #expect(!text.contains("\"images\""))
        #expect(!text.contains("\"seeds\""))

        var file = old
        file.images["/srv/x.raw"] = SimHostFile.Image(fileSize: .gib(1), sha256: Self.sha)
        file.seeds["ldap"] = "i-1"
        let written = String(decoding: try file.encoded(), as: UTF8.self)
        #expect(
            written.contains(
                """
                  "images" : {
                    "/srv/x.raw" : {
                      "fileSize" : {
                        "kib" : 1048576
                      },
                      "format" : "raw",
                      "sha256" : "\(Self.sha)",
                      "virtualSize" : {
                        "kib" : 1048576
                      }
                    }
                  },
                """))
        #expect(
            written.contains(
                """
                  "seeds" : {
                    "ldap" : "i-1"
                  }
                """))
        #expect(try SimHostFile.decode(file.encoded()) == file)
    }

    /// What the simulated host reports passes the checks every driver's answer passes;
    /// the same fields forged are refused or escaped there.
    @Test func observedImagesAndSeedsAreWithinTheLimits() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try driver.setImage("/srv/x.raw", to: SimHostFile.Image(fileSize: .gib(1), sha256: Self.sha))
        try await driver.perform(.writeSeed(CloudInitSeed(domain: "www", instanceId: "i-1", hostname: "www")))
        let state = try await driver.observe()
        #expect(try HostStateLimits.checked(state) == state)

        var forged = state
        forged.images[0].virtualSize = ByteSize(kib: Int64.max)
        #expect(
            throws: HostStateLimits.Violation(
                field: "the virtual size of image '/srv/x.raw'",
                problem: "= 9223372036854775807 KiB, outside 0 KiB–1 PiB")
        ) {
            try HostStateLimits.checked(forged)
        }
        forged = state
        forged.images[0].path = "/srv/\u{1b}[2J.raw"
        forged.seeds = ["\u{9b}www"]
        let escaped = try HostStateLimits.checked(forged)
        #expect(escaped.images.map(\.path) == [#"/srv/\u{1b}[2J.raw"#])
        #expect(escaped.seeds == [#"\u{9b}www"#])
    }
}
