/// What an editor shows on hovering a key: what it is and its default, in a line.
/// docs/manifest.md is the full reference.
extension ManifestSchema {
    static let descriptions: [String: [String: String]] = [
        "domain": domainDescriptions,
        "defaults": domainDescriptions.filter { ManifestDecoder.defaultsKeys.contains($0.key) },
        "host": [
            "connection": "sim, local, or ssh://[user@]host[:port]. Required.",
            "dom0": "Memory and vCPUs kept for dom0; default memory 1G, vcpus 1.",
            "bridges": "The host's bridges, by name (at most 15 characters), each with its interface or none.",
            "limits": "vcpuRatio: at most this many guest vCPUs per physical CPU; default 4.",
            "sim": "The simulated machine (memory, cpus); required with connection: sim, refused otherwise.",
            "agentCommand": "The command an ssh connection runs on the host: xenplan (default) or an absolute path.",
        ],
        "dom0": [
            "memory": "Memory kept for dom0, never given to guests; default 1G.",
            "vcpus": "dom0's vCPUs; default 1.",
        ],
        "limits": ["vcpuRatio": "At most this many guest vCPUs per physical CPU; default 4."],
        "sim": [
            "memory": "The simulated machine's memory, dom0's included.",
            "cpus": "The simulated machine's physical CPUs.",
        ],
        "bridge": [
            "interface": "The physical interface enslaved to the bridge; none for a host-only bridge.",
            "vlan": "An 802.1Q VLAN id (1-4094): the bridge's port is the VLAN interface <interface>.<vlan>, made on interface.",
        ],
        "pool": [
            "type": "lvm (a volume group) or dir (image files in a directory). Required.",
            "volumeGroup": "The volume group of an lvm pool.",
            "path": "The directory of a dir pool; not a system directory.",
            "hosts": "The hosts that reach the pool. Required.",
            "shared": "Several hosts see the same volumes (SAN, NFS); default false.",
        ],
        "image": [
            "path": "The image file: absolute, or relative to the directory of its pool.",
            "format": "raw (default) or qcow2.",
            "sha256": "The file's digest, checked before it is copied.",
            "hosts": "The hosts that have the file; default every host. Not with pool.",
            "pool": "The dir pool the file lives in; its hosts have it. Not with hosts.",
        ],
        "group": [
            "spread": "Members run on different hosts; default false.",
            "memory": "Quota: the most memory the running members may have together.",
            "vcpus": "Quota: the most vCPUs the running members may have together.",
        ],
        "cpu": [
            "weight": "Credit scheduler weight, relative to other domains; default 256.",
            "cap": "Credit scheduler cap in percent of one CPU; default 0, no cap.",
        ],
        "kernelBoot": [
            "kernel": "The kernel, a path in dom0. Required.",
            "ramdisk": "The initial ramdisk, a path in dom0.",
            "cmdline": "The kernel command line: printable ASCII without quotes or backslashes.",
        ],
        "diskSource": ["image": "A declared image the new volume is filled from. Required."],
        "cdrom": [
            "image": "A declared raw image (an ISO file) on the domain's host.",
            "path": "An ISO file on the host, an absolute path.",
        ],
        "vnc": [
            "listen": "The IPv4 address the display listens on; default 127.0.0.1.",
            "display": "The display number (TCP port 5900 + display); default the first free one.",
        ],
        "disk": [
            "name": "Unique in the domain; the volume is DOMAIN-NAME. Required.",
            "size": "A volume xenplan manages, of this size (or path for an existing device).",
            "vdev": "The guest's device: xvda, xvda2…; sd… and hd… for hvm guests only. Required.",
            "pool": "The pool of the volume; default the first the domain's host reaches.",
            "path": "An existing device under /dev/, never created, resized or removed.",
            "mode": "rw (default) or ro.",
            "source": "Fill the new volume from a declared image: {image: NAME}.",
        ],
        "interface": [
            "bridge": "A bridge of the domain's host. Required.",
            "ip": "The interface's IPv4 address; unique in the lab.",
            "mac": "Default: a stable 00:16:3e:… address chosen by xenplan; unique in the lab.",
            "rate": "Outgoing traffic limit as xl writes it: 10Mb/s (bits) or 5MB/s (bytes); default unlimited.",
            "vifname": "The interface's name in dom0 (at most 15 characters); unique in the lab; default vifD.N.",
            "prefix": "First boot: the prefix length of ip (not with netmask).",
            "netmask": "First boot: the netmask of ip, such as 255.255.255.0 (not with prefix).",
            "gateway": "First boot: the default route.",
            "dns": "First boot: name servers.",
        ],
        "labBackups": backupDescriptions,
        "backups": backupDescriptions,
    ]

    static let domainDescriptions = [
        "host": "The dom0 it runs on; default: the planner places it.",
        "group": "The group it belongs to.",
        "memory": "Memory, the balloon target; default 256M.",
        "maxmem": "The most memory it may grow to live; default memory.",
        "vcpus": "vCPUs online; default 1.",
        "maxvcpus": "The most vCPUs it may have live; default vcpus.",
        "cpu": "Credit scheduler: weight (default 256) and cap (percent of one CPU, 0 for none).",
        "type": "pv (default), pvh or hvm.",
        "boot": "pv and pvh guests: pygrub (default), pvgrub, or {kernel, ramdisk, cmdline} in dom0.",
        "firmware": "hvm guests: bios (default, SeaBIOS) or uefi (OVMF).",
        "bootOrder": "hvm guests: the devices the firmware tries, of disk, cdrom, network; default disk, then cdrom.",
        "cdrom": "hvm guests: a CD-ROM drive holding {image: NAME} or {path: /abs/file.iso}, read-only.",
        "vnc": "hvm guests: the VNC display, true (default, on 127.0.0.1), false, or {listen, display}.",
        "serial": "hvm guests: pty (default, reached by xl console) or none.",
        "viridian": "hvm guests: Hyper-V enlightenments for Windows; default false.",
        "disks": "The domain's disks: volumes xenplan manages (size) or existing devices (path).",
        "network": "The domain's interfaces.",
        "restart": "never (default), or allowed: xenplan may reboot it to apply a change.",
        "protect": "Never destroyed, even when no longer declared; default false.",
        "state": "running (default), stopped or suspended.",
        "saves": "The dir pool of its save file while suspended; default /var/lib/xenplan/save on the host.",
        "shutdownTimeout": "Seconds a graceful shutdown may take before xl destroy; default 120.",
        "hostname": "First boot: the guest's host name; default the domain's name.",
        "sshKeys": "First boot: keys of the default user, after the lab-wide sshKeys.",
        "passwordHash": "First boot: the default user's password as a crypt(3) hash, never in clear.",
        "seed": "Whether it gets a first-boot seed; default true when a disk has a source.",
        "identityChanges": "first-boot (default): changed first-boot settings are reported; next-boot: applied at the next boot.",
        "backups": "Its own backup policy over the lab-wide one, or none (no backups, no safety net).",
    ]

    static let backupDescriptions = [
        "pool": "The dir pool backups are written to.",
        "keep": "Complete backups kept per domain; default 7.",
        "consistency": "live, pause (default) or shutdown: what a running guest goes through.",
    ]
}
