import Agent
import Manifest
import Testing

@testable import XenplanCLI

/// Each host's driver is told the paths of the images the lab declares for it, and no others.
@Suite struct HostConnectorTests {
    static let lab = Lab(
        hosts: [
            HostSpec(name: "cpt18", connection: .ssh(user: "root", host: "cpt18.example.org", port: nil)),
            HostSpec(name: "cpt76", connection: .ssh(user: nil, host: "cpt76.example.org", port: 2222)),
        ],
        images: [
            ImageSpec(name: "debian12", path: "/var/lib/xenplan/images/debian12.qcow2", format: .qcow2, hosts: ["cpt18", "cpt76"]),
            ImageSpec(name: "alpine", path: "/srv/xen-images/alpine.img", hosts: ["cpt76"]),
            // The same file under another name: told once.
            ImageSpec(name: "bookworm", path: "/var/lib/xenplan/images/debian12.qcow2", format: .qcow2, hosts: ["cpt18"]),
        ])

    @Test func imagePathsPerHost() {
        #expect(HostConnector.imagePaths(of: "cpt18", in: Self.lab) == ["/var/lib/xenplan/images/debian12.qcow2"])
        #expect(
            HostConnector.imagePaths(of: "cpt76", in: Self.lab)
                == ["/srv/xen-images/alpine.img", "/var/lib/xenplan/images/debian12.qcow2"])
        #expect(HostConnector.imagePaths(of: "cpt99", in: Self.lab) == [])
    }

    @Test func anSshHostsAgentIsToldItsImages() throws {
        let driver = try #require(try HostConnector.driver(for: Self.lab.hosts[1], in: Self.lab, stateDirectory: "/nonexistent") as? SshDriver)
        #expect(driver.target.imagePaths == ["/srv/xen-images/alpine.img", "/var/lib/xenplan/images/debian12.qcow2"])
    }
}
