import Foundation
import Manifest
import Testing
import XenplanBasics

/// Swift Testing has a `SourceLocation` of its own.
private typealias Location = XenplanBasics.SourceLocation

struct VlanBridgeTests {
    @Test func vlanBridgesAreDecodedBesideTheOtherSpellings() throws {
        let text = """
            lab: cpt
            hosts:
              cpt18:
                connection: local
                bridges:
                  xenbr0: {interface: eth0}
                  xenbr1:
                  xenbr10: {interface: eth0, vlan: 10}
                  xenbr4094: {interface: bond0, vlan: 4094}
            """
        let lab = try ManifestLoader.load(files: [(path: "lab.yaml", contents: Array(text.utf8))]).lab
        #expect(
            lab.host("cpt18")?.bridges == [
                BridgeSpec(name: "xenbr0", interface: "eth0", location: Location(file: "lab.yaml", line: 6, column: 7)),
                BridgeSpec(name: "xenbr1", interface: nil, location: Location(file: "lab.yaml", line: 7, column: 7)),
                BridgeSpec(name: "xenbr10", interface: "eth0", vlan: 10, location: Location(file: "lab.yaml", line: 8, column: 7)),
                BridgeSpec(name: "xenbr4094", interface: "bond0", vlan: 4094, location: Location(file: "lab.yaml", line: 9, column: 7)),
            ])
    }
}
