import HostModel
import Testing
import XenplanBasics

/// The NoCloud files byte for byte: what cloud-init reads in the guest at its first boot.
@Suite struct SeedFileTests {
    static let key1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHb3Jk0Jb0yQ6x6v6Lr5l9oB8pY2n0m4Zc0Vx8e7Xo2k admin@lab"
    static let key2 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7vbqajDhA ops@ci"
    static let hash = "$6$rounds=5000$saltsalt$Yx0bqkR1cZ8mN3Q7Wl2Vh5oTqZ1R6d9pJk3f8s0u2a4e6g8i0k2m4o6q8s0u2w4y6A8C0E2G4I6K8M0O2Q4S6U."

    static let web = CloudInitSeed(
        domain: "conf-web", instanceId: "conf-web-0001", hostname: "conf-web.lab.example.org",
        interfaces: [
            .init(
                mac: "00:16:3e:78:20:60", addresses: ["139.124.7.60/24"], gateway: "139.124.7.1",
                dns: ["139.124.7.10", "139.124.7.11"]),
            .init(mac: "00:16:3e:78:20:61"),
        ],
        sshKeys: [key1, key2], passwordHash: hash)

    static let bare = CloudInitSeed(domain: "tmpbox", instanceId: "tmpbox-0001", hostname: "tmpbox")

    @Test func metaData() {
        #expect(
            Self.web.metaData == """
                instance-id: "conf-web-0001"
                local-hostname: "conf-web.lab.example.org"

                """)
    }

    @Test func userDataWithKeysAndAPassword() {
        #expect(
            Self.web.userData == """
                #cloud-config
                hostname: "conf-web"
                fqdn: "conf-web.lab.example.org"
                preserve_hostname: false
                ssh_pwauth: false
                # The keys are the distribution's default user's, and root's too (disable_root: false):
                # the administrators of these labs log in as root, as on guests made by xen-tools' ssh role.
                disable_root: false
                ssh_authorized_keys:
                  - "\(Self.key1)"
                  - "\(Self.key2)"
                chpasswd:
                  expire: false
                  users:
                    - name: "root"
                      password: "\(Self.hash)"
                      type: "hash"

                """)
    }

    @Test func userDataWithNeitherKeysNorPassword() {
        #expect(
            Self.bare.userData == """
                #cloud-config
                hostname: "tmpbox"
                preserve_hostname: false
                ssh_pwauth: false
                # The keys are the distribution's default user's, and root's too (disable_root: false):
                # the administrators of these labs log in as root, as on guests made by xen-tools' ssh role.
                disable_root: false
                ssh_authorized_keys: []

                """)
    }

    @Test func networkConfig() {
        #expect(
            Self.web.networkConfig == """
                version: 2
                ethernets:
                  eth0:
                    match:
                      macaddress: "00:16:3e:78:20:60"
                    set-name: "eth0"
                    addresses:
                      - "139.124.7.60/24"
                    routes:
                      - to: "0.0.0.0/0"
                        via: "139.124.7.1"
                    nameservers:
                      addresses:
                        - "139.124.7.10"
                        - "139.124.7.11"
                  eth1:
                    match:
                      macaddress: "00:16:3e:78:20:61"
                    set-name: "eth1"
                    dhcp4: true

                """)
        #expect(Self.bare.networkConfig == "version: 2\nethernets: {}\n")
    }

    @Test func identitySummary() {
        #expect(
            Self.web.identitySummary == [
                "instance-id": "conf-web-0001", "hostname": "conf-web.lab.example.org",
                "network": "56c74529", "ssh-keys": "5d63d8e6", "password": "set",
            ])
        #expect(
            Self.bare.identitySummary == [
                "instance-id": "tmpbox-0001", "hostname": "tmpbox", "network": "c06005b5", "ssh-keys": "none", "password": "none",
            ])
    }

    /// Nothing in a value can end its scalar: quotes, backslashes and line breaks are escaped.
    @Test func everyScalarIsQuotedAndEscaped() {
        let hostile = CloudInitSeed(domain: "x", instanceId: "a\"b\\c\nd\u{85}e\u{2028}", hostname: "h")
        #expect(hostile.metaData == #"instance-id: "a\"b\\c\x0Ad\x85e\u2028""# + "\nlocal-hostname: \"h\"\n")
    }
}
