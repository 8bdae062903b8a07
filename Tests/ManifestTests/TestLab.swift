/// A small valid lab, written inline so that these tests depend on nothing else in the
/// repository. Line numbers matter: `ValidLabTests` checks exact locations.
enum TestLab {
    static let hosts = """
        lab: cpt
        format: 1

        defaults:
          memory: 256M
          vcpus: 1
          cpu: {weight: 512}
          boot: pygrub
          network: [{bridge: xenbr0}]
          shutdownTimeout: 60

        storage:
          cpt18-local: {type: lvm, volumeGroup: vg18, hosts: [cpt18]}
          cpt76-local: {type: lvm, volumeGroup: vg76, hosts: [cpt76]}
          san: {type: lvm, volumeGroup: san, hosts: [cpt18, cpt76], shared: true}
          nfs: {type: dir, path: /srv/xen-images, hosts: [cpt18, cpt76], shared: true}

        hosts:
          cpt18:
            connection: sim
            dom0: {memory: 4G, vcpus: 2}
            bridges:
              xenbr0: {interface: eth0}
              xenbr1:
            limits: {vcpuRatio: 4}
            sim: {memory: 48G, cpus: 16}
          cpt76:
            connection: ssh://root@cpt76.example.org:2222
            agentCommand: /usr/local/bin/xenplan
            bridges: {xenbr0: {interface: eth0}}

        groups:
          dns: {spread: true}
          teaching: {memory: 4G, vcpus: 8}

        """

    static let domains = """
        domains:
          ns1:
            host: cpt18
            group: dns
            memory: 512M
            maxmem: 1G
            vcpus: 1
            maxvcpus: 2
            cpu: {cap: 50}
            disks:
              - {name: root, size: 5G, vdev: xvda2, pool: san}
              - {name: swap, size: 512, vdev: xvda1}
            network:
              - {bridge: xenbr0, ip: 139.124.7.10, mac: "00:16:3E:78:20:10", rate: 100Mb/s, vifname: ns1.0}
            restart: allowed
            protect: true
          ns2:
            group: dns
            disks: [{name: root, size: 1.5G, vdev: xvda}]
          www:
            host: cpt76
            type: hvm
            firmware: uefi
            disks:
              - {name: data, path: /dev/sdb, vdev: sdb, mode: ro}
            state: stopped
            cdrom: {path: /srv/iso/debian-12.iso}
            bootOrder: [cdrom, disk]
            vnc: {listen: 0.0.0.0, display: 3}
            serial: none
            viridian: true

        """

    static var files: [(path: String, contents: [UInt8])] {
        [("lab/hosts.yaml", Array(hosts.utf8)), ("lab/domains.yaml", Array(domains.utf8))]
    }
}
