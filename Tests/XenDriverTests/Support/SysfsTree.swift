import Foundation

/// A `/sys/class/net` laid out as the kernel does: each entry a link to its device's
/// directory, a bridge with `bridge/` and `brif/<port>` links to the port's `brport`.
struct SysfsTree {
    let root: URL
    var classNet: String { root.appendingPathComponent("class/net").path }

    /// `bridges`: bridge → its ports; `others`: interfaces that are no bridge.
    init(at root: URL, bridges: [String: [String]], others: [String]) throws {
        self.root = root
        let manager = FileManager.default
        let devices = root.appendingPathComponent("devices/virtual/net")
        try manager.createDirectory(atPath: classNet, withIntermediateDirectories: true)
        let ports = Set(bridges.values.joined())
        for name in Set(others).union(bridges.keys).union(ports) {
            let device = devices.appendingPathComponent(name)
            try manager.createDirectory(at: device, withIntermediateDirectories: true)
            if ports.contains(name) {
                try manager.createDirectory(at: device.appendingPathComponent("brport"), withIntermediateDirectories: true)
            }
            try manager.createSymbolicLink(atPath: classNet + "/" + name, withDestinationPath: "../../devices/virtual/net/" + name)
        }
        for (bridge, members) in bridges {
            let device = devices.appendingPathComponent(bridge)
            try manager.createDirectory(at: device.appendingPathComponent("bridge"), withIntermediateDirectories: true)
            try manager.createDirectory(at: device.appendingPathComponent("brif"), withIntermediateDirectories: true)
            for member in members {
                try manager.createSymbolicLink(
                    atPath: device.appendingPathComponent("brif/" + member).path,
                    withDestinationPath: "../../" + member + "/brport")
            }
        }
    }

    /// cpt18's interfaces, as `ip -j -d link show` listed them: xenbr0 with eth0 and three
    /// domains' backends, an empty xenbr1, xenbr2 with a bond.
    static func cpt18(at root: URL) throws -> SysfsTree {
        try SysfsTree(
            at: root,
            bridges: ["xenbr0": ["eth0", "vif1.0", "vif2.0", "vif6.0-emu"], "xenbr1": [], "xenbr2": ["bond0"]],
            others: ["lo", "eth1"])
    }
}
