import HostModel
import XenplanBasics

/// The argument vectors the driver runs on a dom0, one function per tool invocation.
/// Each validates what it puts on the command line: even though nothing goes through a
/// shell, a name starting with `-` would be read by the tool as an option.
public enum XenCommands {
    static func check(_ ok: Bool, _ what: @autoclosure () -> String) throws(XlConfigError) {
        if !ok { throw XlConfigError(what()) }
    }

    static func domain(_ d: String) throws(XlConfigError) -> String {
        try check(XlConfig.validName(d), "\(shownValue(d)) is not a valid domain name")
        return d
    }

    /// xl's memory syntax: `512m` for whole MiB, else `Nk`.
    public static func xlMemory(_ size: ByteSize) -> String {
        size.kib % 1024 == 0 ? "\(size.kib / 1024)m" : "\(size.kib)k"
    }

    public static func create(configPath: String) throws(XlConfigError) -> [String] {
        try check(XlConfig.validPath(configPath), "config path \(shownValue(configPath)) is not a safe absolute path")
        return ["xl", "create", configPath]
    }

    public static func memSet(_ d: String, _ target: ByteSize) throws(XlConfigError) -> [String] {
        try check(target.kib > 0, "memory target must be positive")
        return ["xl", "mem-set", try domain(d), xlMemory(target)]
    }

    public static func vcpuSet(_ d: String, _ count: Int) throws(XlConfigError) -> [String] {
        try check((1...512).contains(count), "vCPU count \(count) out of range")
        return ["xl", "vcpu-set", try domain(d), String(count)]
    }

    public static func schedCredit(_ d: String, weight: Int, cap: Int, scheduler: SchedulerKind) throws(XlConfigError) -> [String] {
        try check((1...65535).contains(weight), "cpu weight \(weight) is outside 1–65535")
        try check((0...51200).contains(cap), "cpu cap \(cap) is outside 0–51200")
        return ["xl", scheduler.xlCommand, "-d", try domain(d), "-w", String(weight), "-c", String(cap)]
    }

    public static func migrate(_ d: String, to host: String) throws(XlConfigError) -> [String] {
        ["xl", "migrate", try domain(d), try peer(host)]
    }

    /// Another dom0 as `xl migrate` names it to `ssh`, and as a cold move reaches it.
    /// xl runs `ssh HOST`: a host that looked like an option would reach ssh as one.
    static func peer(_ host: String) throws(XlConfigError) -> String {
        try check(
            !host.hasPrefix("-") && !host.isEmpty && host.allSatisfy { $0.isLetter || $0.isNumber || ".-_@:".contains($0) },
            "migration target \(shownValue(host)) is not a host name")
        return host
    }

    /// `ssh -o BatchMode=yes -- HOST WORD…`: a command on another dom0 over the root ssh
    /// `xl migrate` uses. ssh joins the words into one line for the remote shell, so every
    /// word must be inert there: only letters, digits and `/+_.=:-`, checked here (volume
    /// group and volume names are LVM's, which keep to that set).
    public static func onPeer(_ host: String, _ words: [String]) throws(XlConfigError) -> [String] {
        for word in words {
            try check(
                !word.isEmpty
                    && word.unicodeScalars.allSatisfy {
                        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "/+_.=:-".unicodeScalars.contains($0))
                    },
                "\(shownValue(word)) cannot be passed to a remote shell")
        }
        return ["ssh", "-o", "BatchMode=yes", "--", try peer(host)] + words
    }

    /// `blockdev --getsize64 DEVICE`: a logical volume's size in bytes.
    public static func blockdevSize(_ device: String) throws(XlConfigError) -> [String] {
        ["blockdev", "--getsize64", try filePath(device, "device")]
    }

    /// The words a peer runs to write its stdin onto `device`: `dd of=DEVICE bs=4M
    /// conv=fsync status=none` (every block, zeros too).
    public static func ddFromStdin(to device: String) throws(XlConfigError) -> [String] {
        ["dd", "of=\(try filePath(device, "target"))", "bs=4M", "conv=fsync", "status=none"]
    }

    public static func shutdown(_ d: String) throws(XlConfigError) -> [String] { ["xl", "shutdown", try domain(d)] }
    public static func destroy(_ d: String) throws(XlConfigError) -> [String] { ["xl", "destroy", try domain(d)] }

    /// `xl block-attach D format=raw vdev=… access=… target=…`: one disk-spec component
    /// per argument, as xl-disk-configuration(5) allows; `target=` last.
    public static func blockAttach(_ d: String, _ disk: DomainConfig.Disk) throws(XlConfigError) -> [String] {
        try check(XlConfig.validVdev(disk.vdev), "disk vdev \(shownValue(disk.vdev)) is not a device name like xvdb")
        try check(XlConfig.validPath(disk.target), "disk target \(shownValue(disk.target)) is not a safe absolute path")
        return [
            "xl", "block-attach", try domain(d), "format=raw", "vdev=\(disk.vdev)",
            "access=\(disk.readOnly ? "ro" : "rw")", "target=\(disk.target)",
        ]
    }

    public static func blockDetach(_ d: String, vdev: String) throws(XlConfigError) -> [String] {
        try check(XlConfig.validVdev(vdev), "disk vdev \(shownValue(vdev)) is not a device name like xvdb")
        return ["xl", "block-detach", try domain(d), vdev]
    }

    /// `xl network-attach D bridge=… mac=… ip=… rate=… vifname=…`: xl parses one `key=value` per argument.
    public static func networkAttach(_ d: String, _ nic: DomainConfig.Nic) throws(XlConfigError) -> [String] {
        try check(XlConfig.validInterface(nic.bridge), "bridge \(shownValue(nic.bridge)) is not an interface name")
        var argv = ["xl", "network-attach", try domain(d), "bridge=\(nic.bridge)"]
        if let mac = nic.mac {
            try check(XlConfig.validMAC(mac), "\(shownValue(mac)) is not a MAC address")
            argv.append("mac=\(mac)")
        }
        if let ip = nic.ip {
            try check(XlConfig.validIPv4(ip), "\(shownValue(ip)) is not an IPv4 address")
            argv.append("ip=\(ip)")
        }
        if let rate = nic.rate {
            try check(Syntax.isVifRate(rate), "\(shownValue(rate)) is not a rate like 10Mb/s")
            argv.append("rate=\(rate)")
        }
        if let vifname = nic.vifname {
            try check(Syntax.isVifName(vifname), "\(shownValue(vifname)) is not an interface name")
            argv.append("vifname=\(vifname)")
        }
        return argv
    }

    public static func networkDetach(_ d: String, mac: String) throws(XlConfigError) -> [String] {
        try check(XlConfig.validMAC(mac), "\(shownValue(mac)) is not a MAC address")
        return ["xl", "network-detach", try domain(d), mac]
    }

    static func volumeName(_ vg: String, _ name: String) throws(XlConfigError) {
        // LVM's own rules: letters, digits and `+_.-`, not starting with `-`.
        let ok: (String) -> Bool = { s in
            !s.isEmpty && s.utf8.count <= 127 && !s.hasPrefix("-")
                && s.unicodeScalars.allSatisfy {
                    ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "+_.-".unicodeScalars.contains($0)
                }
        }
        try check(ok(vg), "\(shownValue(vg)) is not a volume group name")
        try check(ok(name), "\(shownValue(name)) is not a logical volume name")
    }

    /// `lvcreate -y --wipesignatures y --addtag xenplan -L SIZEk -n NAME VG`: `-y` answers
    /// LVM's prompt about an old filesystem signature (there is no terminal), wiping it
    /// keeps a new guest from finding a previous owner's filesystem, and the tag says
    /// xenplan made the volume (only such volumes can become orphans). Untagged: a volume
    /// still being filled, which must never be taken for a finished one of xenplan's.
    public static func lvcreate(vg: String, name: String, size: ByteSize, tagged: Bool = true) throws(XlConfigError) -> [String] {
        try volumeName(vg, name)
        try check(size.kib > 0, "volume size must be positive")
        return ["lvcreate", "-y", "--wipesignatures", "y"] + (tagged ? ["--addtag", LVMReport.ownerTag] : [])
            + ["-L", "\(size.kib)k", "-n", name, vg]
    }

    /// `lvrename VG OLD NEW`: LVM refuses a name that exists, so nothing is written over.
    public static func lvrename(vg: String, from old: String, to new: String) throws(XlConfigError) -> [String] {
        try volumeName(vg, old)
        try volumeName(vg, new)
        return ["lvrename", vg, old, new]
    }

    /// `lvchange --addtag xenplan VG/NAME`: the tag `lvcreate` gives, added once the volume is complete.
    public static func lvAddOwnerTag(vg: String, name: String) throws(XlConfigError) -> [String] {
        try volumeName(vg, name)
        return ["lvchange", "--addtag", LVMReport.ownerTag, "\(vg)/\(name)"]
    }

    static func filePath(_ path: String, _ what: String) throws(XlConfigError) -> String {
        try check(XlConfig.validPath(path), "\(what) \(shownValue(path)) is not a safe absolute path")
        return path
    }

    /// `sha256sum -- PATH`.
    public static func sha256sum(_ path: String) throws(XlConfigError) -> [String] {
        ["sha256sum", "--", try filePath(path, "image")]
    }

    /// `dd if=IMAGE of=DEVICE bs=4M conv=fsync status=none`: every block written, zeros
    /// too, since a new logical volume holds whatever its extents held before.
    public static func ddImage(_ image: String, to device: String) throws(XlConfigError) -> [String] {
        ["dd", "if=\(try filePath(image, "image"))", "of=\(try filePath(device, "target"))", "bs=4M", "conv=fsync", "status=none"]
    }

    /// `cp --sparse=always -- IMAGE FILE`: a raw image into a new file, its holes kept.
    public static func copySparse(_ image: String, to file: String) throws(XlConfigError) -> [String] {
        ["cp", "--sparse=always", "--", try filePath(image, "image"), try filePath(file, "target")]
    }

    /// `qemu-img convert [-n] -f qcow2 -O raw IMAGE TARGET`: `-n` writes into an existing
    /// target (a logical volume) instead of creating it.
    public static func qemuImgConvert(_ image: String, to target: String, existingTarget: Bool) throws(XlConfigError) -> [String] {
        ["qemu-img", "convert"] + (existingTarget ? ["-n"] : [])
            + ["-f", "qcow2", "-O", "raw", try filePath(image, "image"), try filePath(target, "target")]
    }

    /// `genisoimage -quiet -output ISO -volid cidata -joliet -rock -graft-points NAME=FILE…`:
    /// the NoCloud seed, its files at the root of the disk under their own names.
    public static func genisoimage(output: String, files: [(name: String, path: String)]) throws(XlConfigError) -> [String] {
        var argv = [
            "genisoimage", "-quiet", "-output", try filePath(output, "output"), "-volid", "cidata", "-joliet", "-rock",
            "-graft-points",
        ]
        for (name, path) in files {
            try check(XlConfig.validFileName(name), "\(shownValue(name)) is not a file name")
            argv.append("\(name)=\(try filePath(path, "file"))")
        }
        return argv
    }

    public static func lvextend(vg: String, name: String, size: ByteSize) throws(XlConfigError) -> [String] {
        try volumeName(vg, name)
        return ["lvextend", "-L", "\(size.kib)k", "\(vg)/\(name)"]
    }

    public static func lvremove(vg: String, name: String) throws(XlConfigError) -> [String] {
        try volumeName(vg, name)
        return ["lvremove", "-f", "\(vg)/\(name)"]
    }

    public static func bridgeAdd(_ name: String) throws(XlConfigError) -> [String] {
        try check(XlConfig.validInterface(name) && !name.hasPrefix("-"), "\(shownValue(name)) is not an interface name")
        return ["ip", "link", "add", "name", name, "type", "bridge"]
    }

    public static func enslave(_ interface: String, to bridge: String) throws(XlConfigError) -> [String] {
        try check(XlConfig.validInterface(interface) && !interface.hasPrefix("-"), "\(shownValue(interface)) is not an interface name")
        return ["ip", "link", "set", "dev", interface, "master", bridge]
    }

    /// `ip link add link IFACE name IFACE.VLAN type vlan id VLAN`: the 802.1Q interface a
    /// VLAN bridge takes as its port.
    public static func vlanAdd(_ interface: String, vlan: Int) throws(XlConfigError) -> [String] {
        let port = "\(interface).\(vlan)"
        try check(XlConfig.validInterface(interface) && !interface.hasPrefix("-"), "\(shownValue(interface)) is not an interface name")
        try check(BridgeFile.vlanRange.contains(vlan), "VLAN id \(vlan) is outside 1–4094")
        try check(XlConfig.validInterface(port), "\(shownValue(port)) is not an interface name")
        return ["ip", "link", "add", "link", interface, "name", port, "type", "vlan", "id", String(vlan)]
    }

    /// `losetup --noheadings --output NAME --associated FILE`: the loop devices over an
    /// image file (xl's `block` script puts a `dir` pool's disk on one).
    public static func loopDevices(of file: String) throws(XlConfigError) -> [String] {
        ["losetup", "--noheadings", "--output", "NAME", "--associated", try filePath(file, "image")]
    }

    /// `losetup --set-capacity DEVICE`: the loop device takes its file's new size.
    public static func loopSetCapacity(_ device: String) throws(XlConfigError) -> [String] {
        let ok = device.hasPrefix("/dev/loop") && device.dropFirst(9).allSatisfy(\.isASCIIDigit) && device.count > 9
        try check(ok, "\(shownValue(device)) is not a loop device")
        return ["losetup", "--set-capacity", device]
    }

    public static func linkUp(_ name: String) throws(XlConfigError) -> [String] {
        try check(XlConfig.validInterface(name) && !name.hasPrefix("-"), "\(shownValue(name)) is not an interface name")
        return ["ip", "link", "set", "dev", name, "up"]
    }
}

// MARK: Saves and backups

extension XenCommands {
    /// `xl save DOMAIN FILE CONFIG`: the domain's memory to `FILE`, after which the domain
    /// is gone; the configuration is stored in the file for the restore.
    public static func save(_ d: String, to file: String, config: String) throws(XlConfigError) -> [String] {
        ["xl", "save", try domain(d), try filePath(file, "save file"), try filePath(config, "config path")]
    }

    /// `xl restore CONFIG FILE`: the domain back from its save file, running.
    public static func restore(config: String, from file: String) throws(XlConfigError) -> [String] {
        ["xl", "restore", try filePath(config, "config path"), try filePath(file, "save file")]
    }

    public static func pause(_ d: String) throws(XlConfigError) -> [String] { ["xl", "pause", try domain(d)] }
    public static func unpause(_ d: String) throws(XlConfigError) -> [String] { ["xl", "unpause", try domain(d)] }

    /// `lvcreate -s -n SNAP -L SIZEk VG/ORIGIN`: a copy-on-write snapshot reserving `size`
    /// in the volume group for the blocks the origin changes meanwhile.
    public static func lvsnapshot(vg: String, origin: String, name: String, size: ByteSize) throws(XlConfigError) -> [String] {
        try volumeName(vg, origin)
        try volumeName(vg, name)
        try check(size.kib > 0, "snapshot size must be positive")
        return ["lvcreate", "-s", "-n", name, "-L", "\(size.kib)k", "\(vg)/\(origin)"]
    }

    /// `cp --reflink=auto --sparse=always -- FILE SNAP`: a `dir` pool's snapshot, shared
    /// blocks where the filesystem can (instant), else a sparse copy.
    public static func reflinkCopy(_ file: String, to snapshot: String) throws(XlConfigError) -> [String] {
        ["cp", "--reflink=auto", "--sparse=always", "--", try filePath(file, "volume"), try filePath(snapshot, "snapshot")]
    }

    /// `zstd -q -f -T0 SRC -o DST`: `-f` lets zstd read a block device (a snapshot), `-T0`
    /// uses every core.
    public static func zstdCompress(_ source: String, to destination: String) throws(XlConfigError) -> [String] {
        ["zstd", "-q", "-f", "-T0", try filePath(source, "source"), "-o", try filePath(destination, "target")]
    }

    /// `zstd -d -q -f [--no-sparse] SRC -o DST`: onto a block device every block is
    /// written (`--no-sparse`): zstd otherwise seeks over zeros, which leaves a new
    /// logical volume's old content where the disk had zeros. A file keeps its holes.
    public static func zstdDecompress(_ source: String, to destination: String, device: Bool) throws(XlConfigError) -> [String] {
        ["zstd", "-d", "-q", "-f"] + (device ? ["--no-sparse"] : [])
            + [try filePath(source, "source"), "-o", try filePath(destination, "target")]
    }
}
