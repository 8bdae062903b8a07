import Agent
import Foundation
import HostModel
import Testing
import XenplanBasics

/// Every kind of bad input the agent can be fed: each gets an `error` answer with its
/// code (and the request's id when it had a readable one), nothing runs, and the agent
/// answers the next valid request.
struct AgentRefusalTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var event: LineEvent
        var code: ProtocolErrorCode
        /// Sent after a hello (false: the agent has not been greeted yet).
        var greeted = true
        var testDescription: String { name }

        init(_ name: String, _ line: String, _ code: ProtocolErrorCode, greeted: Bool = true) {
            self.name = name
            event = .line(Data(line.utf8))
            self.code = code
            self.greeted = greeted
        }

        init(_ name: String, event: LineEvent, _ code: ProtocolErrorCode) {
            self.name = name
            self.event = event
            self.code = code
        }
    }

    static func perform(_ operation: String) -> String { #"{"type":"perform","id":7,"operation":"# + operation + "}" }
    /// A valid hello with one more field.
    static func hello(_ field: String) -> String { #"{"type":"hello","id":7,"versions":[2],"host":"cpt18","# + field + "}" }
    static let owner = #"{"user":"root","machine":"admin","pid":42,"time":"2026-12-01T10:00:00Z","command":"xenplan apply","runID":"r1"}"#
    /// A valid domain configuration with one piece of it replaced.
    static func config(replacing old: String, with new: String) -> String {
        let valid =
            #"{"writeConfig":{"_0":{"name":"web2","type":"pv","memory":{"kib":524288},"maxmem":{"kib":1048576},"vcpus":1,"maxvcpus":2,"cpuWeight":256,"cpuCap":0,"boot":{"pygrub":{}},"disks":[],"nics":[],"protect":false,"autostart":true,"manifestHash":"abc"}}}"#
        return valid.replacingOccurrences(of: old, with: new)
    }

    /// A valid copy-image with one piece of it replaced.
    /// An hvm guest's firmware devices, as a client writes them.
    static let hvmDevices =
        #""nics":[],"hvm":{"bootOrder":["cdrom","disk"],"cdrom":"/srv/iso/tools.iso","vnc":{"listen":"127.0.0.1"},"serial":"pty","viridian":false}"#

    /// A valid hvm guest's configuration with `old` replaced by `new`.
    static func hvmConfig(replacing old: String, with new: String) -> String {
        config(replacing: #""type":"pv""#, with: #""type":"hvm""#)
            .replacingOccurrences(of: #""boot":{"pygrub":{}}"#, with: #""boot":{"firmware":{"_0":"bios"}}"#)
            .replacingOccurrences(of: #""nics":[]"#, with: hvmDevices)
            .replacingOccurrences(of: old, with: new)
    }

    static func copyImage(replacing old: String, with new: String) -> String {
        let valid =
            #"{"createVolumeFromImage":{"container":"vg18","name":"web2-root","size":{"kib":8388608},"image":{"name":"debian12","path":"/var/lib/xenplan/images/debian12.qcow2","format":"qcow2","sha256":"3f2a6f5a0c1a9a8e7b1c3d5e7f90a1b2c3d4e5f60718293a4b5c6d7e8f901234"}}}"#
        return valid.replacingOccurrences(of: old, with: new)
    }
    /// A valid write-seed with one piece of it replaced.
    static func writeSeed(replacing old: String, with new: String) -> String {
        let valid =
            #"{"writeSeed":{"_0":{"domain":"web2","instanceId":"web2-0001","hostname":"web2.lab.example.org","interfaces":[{"mac":"00:16:3e:78:20:62","addresses":["139.124.7.62/24"],"gateway":"139.124.7.1","dns":["139.124.7.10"]}],"sshKeys":["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHb3Jk0Jb0yQ6x6v6Lr5l9oB8pY2n0m4Zc0Vx8e7Xo2k admin@lab"],"passwordHash":"$6$salt$hash"}}}"#
        return valid.replacingOccurrences(of: old, with: new)
    }

    /// A valid backup job (but for the session: the hello names no pool) with one piece replaced.
    static func backup(replacing old: String, with new: String) -> String {
        let valid =
            #"{"backup":{"_0":{"domain":"web","directory":"/srv/backup","disks":[{"vdev":"xvda","container":"vg18","volume":"web-root","size":{"kib":8388608},"poolKind":"lvm"}],"pause":true,"consistency":"pause","keep":7,"xenplanVersion":"0.13.0"}}}"#
        return valid.replacingOccurrences(of: old, with: new)
    }
    /// A valid restore-volume (but for the session) with one piece replaced.
    /// A valid send-volume (a cold move's copy) with one piece of it replaced.
    static func sendVolume(replacing old: String, with new: String) -> String {
        let valid =
            #"{"sendVolume":{"_0":{"domain":"web","container":"vg18","name":"web-root","size":{"kib":8388608},"toHost":"cpt76","toContainer":"vg76","toName":"web-root","alreadyCopied":false}}}"#
        return valid.replacingOccurrences(of: old, with: new)
    }
    /// A valid receive-volume with one piece of it replaced.
    static func receiveVolume(replacing old: String, with new: String) -> String {
        #"{"receiveVolume":{"container":"vg18","name":"web-root","size":{"kib":8388608}}}"#.replacingOccurrences(of: old, with: new)
    }

    static func restoreVolume(replacing old: String, with new: String) -> String {
        let valid =
            #"{"restoreVolume":{"container":"vg18","name":"web-root","size":{"kib":8388608},"source":{"domain":"web","id":"20261202T013000Z","path":"/srv/backup/xenplan-backups/web/20261202T013000Z/xvda.img.zst","compressed":true,"sha256":"3f2a6f5a0c1a9a8e7b1c3d5e7f90a1b2c3d4e5f60718293a4b5c6d7e8f901234"},"replace":false}}"#
        return valid.replacingOccurrences(of: old, with: new)
    }
    static func save(_ kind: String, domain: String = "web", directory: String = "/var/lib/xenplan/save") -> String {
        #"{"\#(kind)":{"domain":"\#(domain)","directory":"\#(directory)""# + (kind == "removeSave" ? #","partial":false}}"# : "}}")
    }

    static let cases: [Case] = [
        Case("not JSON", "hello there", .badJSON),
        Case("JSON cut short", #"{"type":"observe","id":7"#, .badJSON),
        Case("invalid UTF-8", event: .line(Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D])), .badJSON),
        Case("nesting too deep", String(repeating: "[", count: 100_000), .badJSON),
        Case("input ends inside a line", event: .truncated(bytes: 17), .truncated),
        Case("line over 1 MiB", event: .oversized(bytes: 2_000_000), .tooLarge),
        Case("empty object", "{}", .badRequest),
        Case("array", "[1,2]", .badRequest),
        Case("bare number", "42", .badRequest),
        Case("bare string", #""observe""#, .badRequest),
        Case("null", "null", .badRequest),
        Case("type is a number", #"{"type":1,"id":7}"#, .badRequest),
        Case("unknown type", #"{"type":"reboot","id":7}"#, .unknownType),
        Case("negative id", #"{"type":"observe","id":-1}"#, .badRequest),
        Case("id is an object", #"{"type":"observe","id":{"a":1}}"#, .badRequest),
        Case("id too long", #"{"type":"observe","id":""# + String(repeating: "i", count: 65) + #""}"#, .badRequest),
        Case("unknown field", #"{"type":"observe","id":7,"shell":"rm -rf /"}"#, .badRequest),
        Case("perform without operation", #"{"type":"perform","id":7}"#, .badRequest),
        Case("unknown operation", perform(#"{"reboot":{"domain":"www"}}"#), .badRequest),
        Case("operation field of the wrong type", perform(#"{"setVcpus":{"domain":"www","count":"2"}}"#), .badRequest),
        Case("operation with an extra field", perform(#"{"destroy":{"domain":"www","force":true}}"#), .badRequest),
        Case("count beyond Int64", perform(#"{"setVcpus":{"domain":"www","count":1e30}}"#), .badRequest),
        Case("upper-case domain name", perform(#"{"destroy":{"domain":"WWW"}}"#), .invalidField),
        Case("domain name with a path", perform(#"{"destroy":{"domain":"../etc/passwd"}}"#), .invalidField),
        Case("domain name with shell syntax", perform(#"{"create":{"domain":"www;reboot"}}"#), .invalidField),
        Case("domain name of 64 characters", perform(#"{"destroy":{"domain":""# + String(repeating: "a", count: 64) + #""}}"#), .invalidField),
        Case("size zero", perform(#"{"setMemory":{"domain":"www","target":{"kib":0}}}"#), .invalidField),
        Case("negative size", perform(#"{"growVolume":{"container":"san","name":"www-root","size":{"kib":-1}}}"#), .invalidField),
        Case("size over 1 PiB", perform(#"{"createVolume":{"container":"san","name":"big","size":{"kib":1099511627777}}}"#), .invalidField),
        Case("zero vCPUs", perform(#"{"setVcpus":{"domain":"www","count":0}}"#), .invalidField),
        Case("513 vCPUs", perform(#"{"setVcpus":{"domain":"www","count":513}}"#), .invalidField),
        Case("weight zero", perform(#"{"setScheduler":{"domain":"www","weight":0,"cap":0}}"#), .invalidField),
        Case("weight 65536", perform(#"{"setScheduler":{"domain":"www","weight":65536,"cap":0}}"#), .invalidField),
        Case("volume group with a slash", perform(#"{"removeVolume":{"container":"vg/../x","name":"www-root"}}"#), .invalidField),
        Case("image directory with ..", perform(#"{"createVolume":{"container":"/srv/../etc","name":"x","size":{"kib":1024}}}"#), .invalidField),
        Case("volume name starting with -", perform(#"{"removeVolume":{"container":"san","name":"-rf"}}"#), .invalidField),
        Case(
            "relative disk target", perform(#"{"attachDisk":{"domain":"www","disk":{"vdev":"xvdb","target":"dev/sda","readOnly":false}}}"#),
            .invalidField),
        Case("bad vdev", perform(#"{"detachDisk":{"domain":"www","vdev":"vda$(id)"}}"#), .invalidField),
        Case("bad MAC", perform(#"{"detachNic":{"domain":"www","mac":"00:16:3e:zz:00:01"}}"#), .invalidField),
        Case("bridge name of 16 characters", perform(#"{"createBridge":{"name":"xenbr0123456789a"}}"#), .invalidField),
        Case("VLAN 0", perform(#"{"createBridge":{"name":"xenbr10","interface":"eth0","vlan":0}}"#), .invalidField),
        Case("VLAN 4095", perform(#"{"createBridge":{"name":"xenbr10","interface":"eth0","vlan":4095}}"#), .invalidField),
        Case("VLAN without an interface", perform(#"{"createBridge":{"name":"xenbr10","vlan":10}}"#), .invalidField),
        Case(
            "VLAN interface name over 15 characters", perform(#"{"createBridge":{"name":"xenbr10","interface":"enp129s0f1np1","vlan":100}}"#),
            .invalidField),
        Case("bridge file for a bridge named with ..", perform(#"{"writeBridgeFile":{"_0":{"bridge":"../../shadow"}}}"#), .invalidField),
        Case(
            "bridge file with a newline in its interface", perform(#"{"writeBridgeFile":{"_0":{"bridge":"xenbr0","interface":"eth0\nup reboot"}}}"#),
            .invalidField),
        Case(
            "bridge file with a VLAN out of range", perform(#"{"writeBridgeFile":{"_0":{"bridge":"xenbr0","interface":"eth0","vlan":5000}}}"#),
            .invalidField),
        Case("bridge file path in the request", perform(#"{"writeBridgeFile":{"_0":{"bridge":"xenbr0","path":"/etc/shadow"}}}"#), .badRequest),
        Case("removing the file of a bridge named with a slash", perform(#"{"removeBridgeFile":{"bridge":"a/b"}}"#), .invalidField),
        Case("migration target with an option", perform(#"{"migrate":{"domain":"www","toHost":"-oProxyCommand=x"}}"#), .invalidField),
        Case(
            "config memory above maxmem", perform(config(replacing: #""memory":{"kib":524288}"#, with: #""memory":{"kib":2097152}"#)), .invalidField),
        Case(
            "config kernel cmdline with a quote",
            perform(
                config(replacing: #""boot":{"pygrub":{}}"#, with: #""boot":{"kernel":{"kernel":"/boot/vmlinuz","cmdline":"root=/dev/xvda\" x"}}"#)),
            .invalidField),
        Case(
            "hvm config booting pygrub",
            perform(config(replacing: #""type":"pv""#, with: #""type":"hvm""#).replacingOccurrences(of: #""nics":[]"#, with: Self.hvmDevices)),
            .invalidField),
        Case("hvm CD-ROM path with ..", perform(hvmConfig(replacing: "/srv/iso/tools.iso", with: "/srv/iso/../../etc/shadow")), .invalidField),
        Case("hvm VNC listening on a name", perform(hvmConfig(replacing: #""listen":"127.0.0.1""#, with: #""listen":"localhost""#)), .invalidField),
        Case(
            "hvm VNC display 100", perform(hvmConfig(replacing: #""listen":"127.0.0.1""#, with: #""listen":"127.0.0.1","display":100"#)),
            .invalidField),
        Case("hvm boot order of a floppy", perform(hvmConfig(replacing: #"["cdrom","disk"]"#, with: #"["floppy"]"#)), .badRequest),
        Case(
            "hvm boot order of four", perform(hvmConfig(replacing: #"["cdrom","disk"]"#, with: #"["cdrom","disk","network","disk"]"#)), .invalidField),
        Case("hvm devices on a pv guest", perform(hvmConfig(replacing: #""type":"hvm""#, with: #""type":"pv""#)), .invalidField),
        Case(
            "pv guest booting firmware", perform(config(replacing: #""boot":{"pygrub":{}}"#, with: #""boot":{"firmware":{"_0":"uefi"}}"#)),
            .invalidField),
        Case(
            "hvm disk at the CD-ROM's place",
            perform(hvmConfig(replacing: #""disks":[]"#, with: #""disks":[{"vdev":"xvdc","target":"/dev/vg18/web2-root","readOnly":false}]"#)),
            .invalidField),
        Case(
            "interface rate with a second option",
            perform(config(replacing: #""nics":[]"#, with: #""nics":[{"bridge":"xenbr0","rate":"10Mb/s,script=/tmp/x"}]"#)), .invalidField),
        Case(
            "interface named like Xen's own", perform(config(replacing: #""nics":[]"#, with: #""nics":[{"bridge":"xenbr0","vifname":"vif7.0"}]"#)),
            .invalidField),
        Case(
            "two interfaces of one dom0 name",
            perform(config(replacing: #""nics":[]"#, with: #""nics":[{"bridge":"xenbr0","vifname":"lan"},{"bridge":"xenbr0","vifname":"lan"}]"#)),
            .invalidField),
        Case(
            "image path with ..",
            perform(copyImage(replacing: "/var/lib/xenplan/images/debian12", with: "/var/lib/xenplan/images/../../../etc/shadow")), .invalidField),
        Case("relative image path", perform(copyImage(replacing: "/var/lib/xenplan/images/", with: "")), .invalidField),
        Case("image path with a space", perform(copyImage(replacing: "debian12.qcow2", with: "debian 12.qcow2")), .invalidField),
        Case("image format vmdk", perform(copyImage(replacing: #""format":"qcow2""#, with: #""format":"vmdk""#)), .invalidField),
        Case("image sha256 in capitals", perform(copyImage(replacing: "3f2a6f5a", with: "3F2A6F5A")), .invalidField),
        Case("image sha256 too short", perform(copyImage(replacing: "3f2a6f5a", with: "")), .invalidField),
        Case("image name with a slash", perform(copyImage(replacing: #""name":"debian12""#, with: #""name":"../debian12""#)), .invalidField),
        Case("image without a path", perform(copyImage(replacing: #""path":"/var/lib/xenplan/images/debian12.qcow2","#, with: "")), .badRequest),
        Case(
            "image with an extra field", perform(copyImage(replacing: #""format":"qcow2""#, with: #""format":"qcow2","url":"http://x""#)), .badRequest
        ),
        Case(
            "copy-image into a volume starting with -", perform(copyImage(replacing: #""name":"web2-root""#, with: #""name":"-web2""#)), .invalidField
        ),
        Case("copy-image of size zero", perform(copyImage(replacing: #""kib":8388608"#, with: #""kib":0"#)), .invalidField),
        Case(
            "seed hostname with a line break", perform(writeSeed(replacing: "web2.lab.example.org", with: #"web2\nruncmd: [reboot]"#)), .invalidField),
        Case(
            "seed key with a line break",
            perform(writeSeed(replacing: " admin@lab", with: #" admin@lab\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 evil"#)), .invalidField),
        Case("seed key with options", perform(writeSeed(replacing: #""ssh-ed25519 "#, with: #""command=\"sh\" ssh-ed25519 "#)), .invalidField),
        Case("seed address without its prefix", perform(writeSeed(replacing: "139.124.7.62/24", with: "139.124.7.62")), .invalidField),
        Case("seed address with prefix 33", perform(writeSeed(replacing: "139.124.7.62/24", with: "139.124.7.62/33")), .invalidField),
        Case(
            "seed gateway that is a name", perform(writeSeed(replacing: #""gateway":"139.124.7.1""#, with: #""gateway":"gw.example.org""#)),
            .invalidField),
        Case("seed MAC in capitals", perform(writeSeed(replacing: "00:16:3e:78:20:62", with: "00:16:3E:78:20:62")), .invalidField),
        Case("seed password in clear text", perform(writeSeed(replacing: "$6$salt$hash", with: "hunter2 hunter2")), .invalidField),
        Case("seed for a domain with a path", perform(writeSeed(replacing: #""domain":"web2""#, with: #""domain":"../web2""#)), .invalidField),
        Case(
            "seed with an extra field", perform(writeSeed(replacing: #""domain":"web2","#, with: #""domain":"web2","runcmd":["reboot"],"#)),
            .badRequest),
        Case(
            "config whose seed disk is another file",
            perform(
                config(replacing: #""nics":[]"#, with: #""nics":[],"seed":{"vdev":"xvdz","target":"/etc/shadow","identity":{"hostname":"web2"}}"#)),
            .invalidField),
        Case(
            "config whose seed summary has a space",
            perform(
                config(
                    replacing: #""nics":[]"#,
                    with: #""nics":[],"seed":{"vdev":"xvdz","target":"/var/lib/xenplan/seed/web2.iso","identity":{"hostname":"web2 x"}}"#)),
            .invalidField),
        Case("save of a domain with a path", perform(save("save", domain: "../web")), .invalidField),
        Case("save into a relative directory", perform(save("save", directory: "var/lib/xenplan/save")), .invalidField),
        Case("save into a directory with ..", perform(save("save", directory: "/var/lib/xenplan/save/../../../../etc")), .invalidField),
        Case("save into a directory with a newline", perform(save("save", directory: #"/var/lib/xenplan/save\n"#)), .invalidField),
        Case("save into a directory with NUL", perform(save("save", directory: #"/var/lib/xenplan/save\u0000"#)), .invalidField),
        Case("save into a directory the hello did not name", perform(save("save", directory: "/srv/backup")), .invalidField),
        Case("save without a directory", perform(#"{"save":{"domain":"web"}}"#), .badRequest),
        Case("restore of an upper-case domain", perform(save("restore", domain: "Web")), .invalidField),
        Case("restore from a directory with ..", perform(save("restore", directory: "/var/lib/xenplan/../../etc")), .invalidField),
        Case("restore from a directory the hello did not name", perform(save("restore", directory: "/tmp")), .invalidField),
        Case("remove-save of a domain with shell syntax", perform(save("removeSave", domain: "web;reboot")), .invalidField),
        Case("remove-save in a relative directory", perform(save("removeSave", directory: "save")), .invalidField),
        Case("remove-save in a directory the hello did not name", perform(save("removeSave", directory: "/etc")), .invalidField),
        Case(
            "remove-save with partial not a boolean", perform(#"{"removeSave":{"domain":"web","directory":"/var/lib/xenplan/save","partial":"no"}}"#),
            .badRequest),
        Case("backup of a domain with a path", perform(backup(replacing: #""domain":"web""#, with: #""domain":"../web""#)), .invalidField),
        Case(
            "backup into a relative directory", perform(backup(replacing: #""directory":"/srv/backup""#, with: #""directory":"backup""#)),
            .invalidField),
        Case("backup into a directory with ..", perform(backup(replacing: "/srv/backup", with: "/srv/backup/../../etc")), .invalidField),
        Case("backup into a directory the hello did not name", perform(backup(replacing: "", with: "")), .invalidField),
        Case(
            "backup without disks",
            perform(
                backup(
                    replacing: #""disks":[{"vdev":"xvda","container":"vg18","volume":"web-root","size":{"kib":8388608},"poolKind":"lvm"}]"#,
                    with: #""disks":[]"#)), .invalidField),
        Case("backup of a bad vdev", perform(backup(replacing: #""vdev":"xvda""#, with: #""vdev":"xvda$(id)""#)), .invalidField),
        Case(
            "backup of one device twice",
            perform(
                backup(
                    replacing: #"}],"pause""#,
                    with: #"},{"vdev":"xvda","container":"vg18","volume":"web-data","size":{"kib":8388608},"poolKind":"lvm"}],"pause""#)),
            .invalidField),
        Case(
            "backup of a volume group with a slash", perform(backup(replacing: #""container":"vg18""#, with: #""container":"vg18/../x""#)),
            .invalidField),
        Case("backup of a volume starting with -", perform(backup(replacing: #""volume":"web-root""#, with: #""volume":"-rf""#)), .invalidField),
        Case(
            "backup of a volume whose snapshot name is too long", perform(backup(replacing: "web-root", with: String(repeating: "w", count: 125))),
            .invalidField),
        Case("backup of a disk of size zero", perform(backup(replacing: #""kib":8388608"#, with: #""kib":0"#)), .invalidField),
        Case("backup of a disk over 1 PiB", perform(backup(replacing: #""kib":8388608"#, with: #""kib":1099511627777"#)), .invalidField),
        Case("backup of a pool kind nfs", perform(backup(replacing: #""poolKind":"lvm""#, with: #""poolKind":"nfs""#)), .invalidField),
        Case("backup of a volume group as a dir pool", perform(backup(replacing: #""poolKind":"lvm""#, with: #""poolKind":"dir""#)), .invalidField),
        Case("backup consistency crash", perform(backup(replacing: #""consistency":"pause""#, with: #""consistency":"crash""#)), .invalidField),
        Case("backup keeping none", perform(backup(replacing: #""keep":7"#, with: #""keep":0"#)), .invalidField),
        Case("backup keeping 1001", perform(backup(replacing: #""keep":7"#, with: #""keep":1001"#)), .invalidField),
        Case("backup pause not a boolean", perform(backup(replacing: #""pause":true"#, with: #""pause":1"#)), .badRequest),
        Case("backup version with a newline", perform(backup(replacing: "0.13.0", with: #"0.13.0\nrm"#)), .invalidField),
        Case(
            "backup recording another domain's config",
            perform(backup(replacing: #""keep":7"#, with: #""keep":7,"config":"# + config(replacing: "", with: "").dropFirst(21).dropLast(2))),
            .invalidField),
        Case(
            "restore-volume into a bad container", perform(restoreVolume(replacing: #""container":"vg18""#, with: #""container":"vg18/x""#)),
            .invalidField),
        Case(
            "restore-volume name with a slash", perform(restoreVolume(replacing: #""name":"web-root""#, with: #""name":"../web-root""#)),
            .invalidField),
        Case("restore-volume of size zero", perform(restoreVolume(replacing: #""kib":8388608"#, with: #""kib":0"#)), .invalidField),
        Case(
            "restore-volume from a domain with a path", perform(restoreVolume(replacing: #""domain":"web""#, with: #""domain":"web/x""#)),
            .invalidField),
        Case(
            "restore-volume from an id not a backup's", perform(restoreVolume(replacing: #""id":"20261202T013000Z""#, with: #""id":"latest""#)),
            .invalidField),
        Case("restore-volume from a relative path", perform(restoreVolume(replacing: #""path":"/srv"#, with: #""path":"srv"#)), .invalidField),
        Case(
            "restore-volume from a path with ..", perform(restoreVolume(replacing: "xvda.img.zst", with: "../../../../../etc/shadow")), .invalidField),
        Case("restore-volume with a sha256 in capitals", perform(restoreVolume(replacing: "3f2a6f5a", with: "3F2A6F5A")), .invalidField),
        Case("restore-volume from outside the hello's pools", perform(restoreVolume(replacing: "", with: "")), .invalidField),
        Case("restore-volume replace not a boolean", perform(restoreVolume(replacing: #""replace":false"#, with: #""replace":"yes""#)), .badRequest),
        Case("send-volume of a domain with a path", perform(sendVolume(replacing: #""domain":"web""#, with: #""domain":"../web""#)), .invalidField),
        Case(
            "send-volume from a directory", perform(sendVolume(replacing: #""container":"vg18""#, with: #""container":"/srv/images""#)),
            .invalidField),
        Case("send-volume of a volume starting with -", perform(sendVolume(replacing: #""name":"web-root""#, with: #""name":"-rf""#)), .invalidField),
        Case("send-volume of size zero", perform(sendVolume(replacing: #""kib":8388608"#, with: #""kib":0"#)), .invalidField),
        Case(
            "send-volume to a host that is an ssh option",
            perform(sendVolume(replacing: #""toHost":"cpt76""#, with: #""toHost":"-oProxyCommand=sh""#)), .invalidField),
        Case(
            "send-volume to a host with a space", perform(sendVolume(replacing: #""toHost":"cpt76""#, with: #""toHost":"cpt76 reboot""#)),
            .invalidField),
        Case(
            "send-volume into a volume group with a slash",
            perform(sendVolume(replacing: #""toContainer":"vg76""#, with: #""toContainer":"vg/../x""#)),
            .invalidField),
        Case(
            "send-volume into a partial name", perform(sendVolume(replacing: #""toName":"web-root""#, with: #""toName":"web-root_partial""#)),
            .invalidField),
        Case(
            "send-volume into a name too long with its partial suffix",
            perform(sendVolume(replacing: #""toName":"web-root""#, with: #""toName":""# + String(repeating: "w", count: 120) + #"""#)),
            .invalidField),
        Case(
            "send-volume alreadyCopied not a boolean", perform(sendVolume(replacing: #""alreadyCopied":false"#, with: #""alreadyCopied":"no""#)),
            .badRequest),
        Case(
            "receive-volume into a directory", perform(receiveVolume(replacing: #""container":"vg18""#, with: #""container":"/srv/images""#)),
            .invalidField),
        Case("receive-volume of a name with a semicolon", perform(receiveVolume(replacing: "web-root", with: "web;reboot")), .invalidField),
        Case("receive-volume over 1 PiB", perform(receiveVolume(replacing: #""kib":8388608"#, with: #""kib":1099511627777"#)), .invalidField),
        Case("commit-volume of a name with a slash", perform(#"{"commitVolume":{"container":"vg18","name":"../web-root"}}"#), .invalidField),
        Case("commit-volume of a partial name", perform(#"{"commitVolume":{"container":"vg18","name":"web-root_partial"}}"#), .invalidField),
        Case("lock without owner", #"{"type":"lock","id":7}"#, .badRequest),
        Case("lock owner with pid 0", #"{"type":"lock","id":7,"owner":"# + owner.replacingOccurrences(of: "42", with: "0") + "}", .invalidField),
        Case("second hello", #"{"type":"hello","id":7,"versions":[2],"host":"cpt18"}"#, .outOfOrder),
        Case("observe before hello", #"{"type":"observe","id":7}"#, .outOfOrder, greeted: false),
        Case("perform before hello", perform(#"{"destroy":{"domain":"www"}}"#), .outOfOrder, greeted: false),
        Case("lock before hello", #"{"type":"lock","id":7,"owner":"# + owner + "}", .outOfOrder, greeted: false),
        Case("hello with no common version", #"{"type":"hello","id":7,"versions":[3,4]}"#, .unsupportedVersion, greeted: false),
        // Protocol 1 clients send no volume groups: served, they would miss the volumes.
        Case("hello from a protocol 1 client", #"{"type":"hello","id":7,"versions":[1],"host":"cpt18"}"#, .unsupportedVersion, greeted: false),
        Case("hello without versions", #"{"type":"hello","id":7,"host":"cpt18"}"#, .badRequest, greeted: false),
        Case("hello for an unknown host", #"{"type":"hello","id":7,"versions":[2],"host":"cpt99"}"#, .hostUnavailable, greeted: false),
        Case("hello with a host name of the wrong type", #"{"type":"hello","id":7,"versions":[2],"host":18}"#, .badRequest, greeted: false),
        Case("hello with volumeGroups not an array", hello(#""volumeGroups":"vg18""#), .badRequest, greeted: false),
        Case("hello with a volume group of the wrong type", hello(#""volumeGroups":[18]"#), .badRequest, greeted: false),
        Case(
            "hello with 65 volume groups", hello(#""volumeGroups":["# + Array(repeating: #""vg""#, count: 65).joined(separator: ",") + "]"),
            .badRequest, greeted: false),
        Case("hello with a volume group starting with -", hello(#""volumeGroups":["vg18","-vg"]"#), .invalidField, greeted: false),
        Case("hello with the volume group ..", hello(#""volumeGroups":[".."]"#), .invalidField, greeted: false),
        Case("hello with a volume group with a slash", hello(#""volumeGroups":["vg/../x"]"#), .invalidField, greeted: false),
        Case("hello with an empty volume group", hello(#""volumeGroups":[""]"#), .invalidField, greeted: false),
        Case("hello with imagePaths not an array", hello(#""imagePaths":"/srv/a.img""#), .badRequest, greeted: false),
        Case(
            "hello with 4097 image paths", hello(#""imagePaths":["# + Array(repeating: #""/a""#, count: 4097).joined(separator: ",") + "]"),
            .badRequest, greeted: false),
        Case("hello with an image path with ..", hello(#""imagePaths":["/srv/images/../../etc/shadow"]"#), .invalidField, greeted: false),
        Case("hello with a relative image path", hello(#""imagePaths":["images/a.img"]"#), .invalidField, greeted: false),
        Case("hello with a trace that is not a boolean", hello(#""trace":"yes""#), .badRequest, greeted: false),
        Case("hello with concurrency as a string", hello(#""concurrency":"4""#), .badRequest, greeted: false),
        Case("hello with a fractional concurrency", hello(#""concurrency":2.5"#), .badRequest, greeted: false),
        Case("hello with concurrency 0", hello(#""concurrency":0"#), .invalidField, greeted: false),
        Case("hello with concurrency 65", hello(#""concurrency":65"#), .invalidField, greeted: false),
        Case("hello with a negative concurrency", hello(#""concurrency":-4"#), .invalidField, greeted: false),
        Case(
            "hello with a volume group of 128 characters", hello(#""volumeGroups":[""# + String(repeating: "v", count: 128) + #""]"#),
            .invalidField, greeted: false),
    ]

    @Test(arguments: cases)
    func refusedAndStillServing(_ c: Case) async throws {
        let agent = try AgentFixture()
        if c.greeted { #expect(await agent.send(AgentFixture.hello).first?.type == "hello") }
        let before = try await SimDriverState.snapshot(agent.state)
        let answers = await agent.send(c.event)
        #expect(answers.count == 1)
        let answer = try #require(answers.first)
        #expect(answer.type == "error")
        #expect(answer.code == c.code, "\(answer.message ?? "")")
        #expect(answer.message?.isEmpty == false)
        if case let .line(data) = c.event, c.code != .badJSON, String(decoding: data, as: UTF8.self).contains(#""id":7"#) {
            #expect(answer.id == .number(7))
        }
        // Nothing ran...
        #expect(try await SimDriverState.snapshot(agent.state) == before)
        // ...and the agent still serves.
        if !c.greeted { #expect(await agent.send(AgentFixture.hello).first?.type == "hello") }
        let observed = await agent.send(#"{"type":"observe","id":"last"}"#)
        #expect(observed.first?.type == "state")
        #expect(observed.first?.id == .text("last"))
    }

    @Test func thereAreAtLeastThirtyKinds() {
        #expect(Self.cases.count >= 30)
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count)
    }

    @Test func blankLinesAreIgnored() async throws {
        let agent = try AgentFixture()
        #expect(await agent.send("   ").isEmpty)
    }

    @Test func agentPinnedToAHostRefusesAnother() async throws {
        let agent = try AgentFixture(host: "cpt76")
        let answer = await agent.send(AgentFixture.hello).first
        #expect(answer?.code == .wrongHost)
        #expect(answer?.message == "this agent serves host cpt76, not cpt18")
    }
}

/// The simulated hosts' files, to show that a refused request changed nothing.
enum SimDriverState {
    static func snapshot(_ directory: URL) async throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".json") {
            files[name] = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
        }
        return files
    }
}
