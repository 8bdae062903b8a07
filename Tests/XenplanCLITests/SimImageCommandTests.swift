import Foundation
import Testing

/// `xenplan sim image`: image files put on simulated hosts by hand, and the new fault kinds.
@Suite struct SimImageCommandTests {
    static let sha = String(repeating: "3e", count: 32)

    @Test func putShowAndRemove() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let put = try lab.run(["sim", "image", "cpt18", "/srv/images/debian-12.raw"])
        #expect(put.stderr == "")
        #expect(put.stdout == "cpt18: image /srv/images/debian-12.raw in place: raw, 2 GiB, sha256 \(Self.madeUp).\n")

        let show = try lab.run(["sim", "show", "cpt18"])
        #expect(
            show.stdout.contains(
                """
                    "/srv/images/debian-12.raw" : {
                      "fileSize" : {
                        "kib" : 2097152
                      },
                      "format" : "raw",
                      "sha256" : "\(Self.madeUp)",
                      "virtualSize" : {
                        "kib" : 2097152
                      }
                    },
                """))
        let observed = try lab.run(["sim", "show", "cpt18", "--observed"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(observed.stdout.utf8)) as? [String: Any])
        // The example lab's own image is there too: the administrator put it where the manifests say.
        let images = try #require(object["images"] as? [[String: Any]])
        #expect(images.compactMap { $0["path"] as? String } == ["/srv/images/debian-12.raw", "/var/lib/xenplan/images/debian12.img"])
        #expect(images.first?["format"] as? String == "raw")
        #expect((images.first?["virtualSize"] as? [String: Any])?["kib"] as? Int == 2_097_152)
        #expect(object["seeds"] as? [String] == [])

        let removed = try lab.run(["sim", "image", "cpt18", "/srv/images/debian-12.raw", "--remove"])
        #expect(removed.stdout == "cpt18: image /srv/images/debian-12.raw removed.\n")
        #expect(!(try lab.run(["sim", "show", "cpt18"]).stdout.contains("/srv/images/debian-12.raw")))
        let again = try lab.run(["sim", "image", "cpt18", "/srv/images/debian-12.raw", "--remove"])
        #expect(again.status == 1)
        #expect(again.stderr == "error: cpt18 has no image /srv/images/debian-12.raw\n")
    }

    /// The digest `sim image` makes up for /srv/images/debian-12.raw of 2 GiB.
    static let madeUp = "8d1ad5bb4c4a0a5f7e81e5eece30af5ca93bde68d4cd6b5ca2304c11af8e1649"

    @Test func qcow2InASharedDirectoryIsOnEveryHostSharingIt() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        for host in ["cpt18", "cpt76"] {
            #expect(try lab.run(["sim", "xl", host, "vgcreate", "/srv/nfs", "500G", "shared"]).status == 0)
        }
        let put = try lab.run([
            "sim", "image", "cpt76", "/srv/nfs/debian-12.qcow2", "--format", "qcow2", "--size", "700M",
            "--virtual-size", "10G", "--sha256", Self.sha,
        ])
        #expect(put.stderr == "")
        #expect(put.stdout == "cpt76, cpt18: image /srv/nfs/debian-12.qcow2 in place: qcow2, 700 MiB holding 10 GiB, sha256 \(Self.sha).\n")
        let show = try lab.run(["sim", "show", "cpt18"])
        #expect(show.stdout.contains("\"sha256\" : \"\(Self.sha)\""))
    }

    @Test(arguments: [
        (["/srv/x.raw", "--size", "big"], "error: --size 'big' is not a size (examples: 512M, 2G, 2048)\n"),
        (["/srv/x.raw", "--format", "vhd"], "error: image /srv/x.raw has format 'vhd', not raw or qcow2\n"),
        (
            ["/srv/x.raw", "--size", "1G", "--virtual-size", "4G"],
            "error: image /srv/x.raw is raw, so its virtual size is its size (1 GiB), not 4 GiB\n"
        ),
        (["/srv/x.raw", "--sha256", "ABC"], "error: image /srv/x.raw has sha256 'ABC', not 64 lower-case hex digits\n"),
        (["x.raw"], "error: image path 'x.raw' is not an absolute path without spaces or shell characters\n"),
        (["/srv/x.raw", "--remove", "--size", "1G"], "error: --remove takes no --size, --virtual-size, --format or --sha256\n"),
    ])
    func refused(_ arguments: [String], _ message: String) throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let before = try lab.liveFiles()
        let result = try lab.run(["sim", "image", "cpt18"] + arguments)
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr == message)
        #expect(try lab.liveFiles() == before)
    }

    @Test func copyImageAndWriteSeedFaultsCanBeInjected() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let copy = try lab.run(["sim", "fail", "cpt18", "copy-image"])
        #expect(copy.stdout == "cpt18: the next copy-image operation will fail.\n")
        let seed = try lab.run(["sim", "fail", "cpt18", "write-seed", "--times", "2"])
        #expect(seed.stdout == "cpt18: the next 2 write-seed operations will fail.\n")
        let show = try lab.run(["sim", "show", "cpt18"])
        #expect(
            show.stdout.contains(
                """
                  "failures" : {
                    "copy-image" : {
                      "remaining" : 1
                    },
                    "write-seed" : {
                      "remaining" : 2
                    }
                  },
                """))
    }
}
