import Agent
import Foundation
import HostModel
import SimDriver
import Testing

/// The agent's own policy: every operation it forbids is refused with `policy-denied`, a
/// message naming the rule and the file, nothing changes on the host, and the agent
/// answers the next request. And its queue: bounded in requests and bytes.
@Suite struct AgentPolicyTests {
    static let policyText = """
        # what a key holder may change on cpt18
        volumeGroups: [vg18, san, vg99]
        imageDirectories: [/srv/xen-images]
        devices:
          - /dev/disk/by-id/wwn-0x5000c500a1b2c3d4
          - /dev/mapper/backup-*
        readOnlyDevices: [/dev/sr0]
        bridges:
          xenbr0: {interfaces: [eth0]}
          xenbr1: {}
        """

    let agent: AgentFixture
    let policyPath: String

    init() throws {
        agent = try AgentFixture()
        policyPath = agent.state.appendingPathComponent("agent.yaml").path
        try Self.policyText.write(toFile: policyPath, atomically: true, encoding: .utf8)
        // A volume someone made by hand in a volume group xenplan uses: not xenplan's.
        _ = try SimXl(stateDirectory: agent.state, host: "cpt18").run(["lvcreate", "vg18", "scratch", "1G"])
    }

    func server(
        _ policy: AgentPolicy, maxQueuedRequests: Int = 32, maxQueuedBytes: Int = 8 << 20,
        wrap: @escaping @Sendable (SimDriver) -> any HostDriver = { $0 }
    ) -> AgentServer {
        let directory = agent.state
        return AgentServer(
            configuration: .init(
                xenplanVersion: "0.0.test", lockDirectory: directory.appendingPathComponent("run"),
                policy: policy, maxQueuedRequests: maxQueuedRequests, maxQueuedBytes: maxQueuedBytes),
            factory: { session in wrap(SimDriver(stateDirectory: directory, host: session.host, speed: 0)) })
    }

    func send(_ server: AgentServer, _ line: String) async -> [AgentMessage] {
        let box = Box()
        await server.handle(.line(Data(line.utf8))) { box.append($0) }
        return box.messages
    }

    static let hello = #"{"type":"hello","id":0,"versions":[2],"host":"cpt18","volumeGroups":["san","vg18"],"imageDirectories":["/srv/xen-images"]}"#

    static func perform(_ operation: String) -> String { #"{"type":"perform","id":7,"operation":"# + operation + "}" }

    /// What a refused operation could have changed.
    struct Footprint: Equatable {
        var volumes: [VolumeState]
        var configs: [DomainConfig]
        var bridges: [BridgeState]
        var domains: [String]
        var disks: [[DiskState]]
    }

    func footprint() async throws -> Footprint {
        let state = try await SimDriver(stateDirectory: agent.state, host: "cpt18", speed: 0).observe()
        return Footprint(
            volumes: state.volumes, configs: state.configs, bridges: state.bridges,
            domains: state.domains.map(\.name), disks: state.domains.map(\.disks))
    }

    // MARK: Forbidden operations

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var operation: String
        var rule: String
        var detail: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "a volume in a volume group the policy does not list",
            operation: #"{"createVolume":{"container":"vg76","name":"x","size":{"kib":1048576}}}"#, rule: "volumeGroups",
            detail: "create-volume vg76/x: volume group vg76 is not listed"),
        Case(
            name: "a volume in a listed volume group the hello did not name",
            operation: #"{"createVolume":{"container":"vg99","name":"x","size":{"kib":1048576}}}"#, rule: "volumeGroups",
            detail: "create-volume vg99/x: volume group vg99 is listed, but this session's hello did not name it"),
        Case(
            name: "receiving a copy into a volume group the policy does not list",
            operation: #"{"receiveVolume":{"container":"vg76","name":"web-root","size":{"kib":1048576}}}"#, rule: "volumeGroups",
            detail: "receive-volume vg76/web-root: volume group vg76 is not listed"),
        Case(
            name: "naming a copy in a volume group the policy does not list",
            operation: #"{"commitVolume":{"container":"vg76","name":"web-root"}}"#, rule: "volumeGroups",
            detail: "commit-volume vg76/web-root: volume group vg76 is not listed"),
        Case(
            name: "sending a volume of a volume group the policy does not list",
            operation:
                #"{"sendVolume":{"_0":{"domain":"web","container":"vg76","name":"web-root","size":{"kib":1048576},"toHost":"cpt18","toContainer":"vg18","toName":"web-root","alreadyCopied":false}}}"#,
            rule: "volumeGroups", detail: "send-volume vg76/web-root: volume group vg76 is not listed"),
        Case(
            name: "an image file outside the listed directories",
            operation: #"{"createVolume":{"container":"/etc","name":"x","size":{"kib":1048576}}}"#, rule: "imageDirectories",
            detail: "create-volume /etc/x.img: directory /etc is not listed"),
        Case(
            name: "removing an image file outside the listed directories",
            operation: #"{"removeVolume":{"container":"/root","name":"disk"}}"#, rule: "imageDirectories",
            detail: "remove-volume /root/disk.img: directory /root is not listed"),
        Case(
            name: "removing a volume xenplan did not create",
            operation: #"{"removeVolume":{"container":"vg18","name":"scratch"}}"#, rule: "owned-volumes",
            detail: "remove-volume vg18/scratch: vg18/scratch has no LVM tag xenplan; only volumes xenplan created are grown or removed"),
        Case(
            name: "growing a volume xenplan did not create",
            operation: #"{"growVolume":{"container":"vg18","name":"scratch","size":{"kib":4194304}}}"#, rule: "owned-volumes",
            detail: "grow-volume vg18/scratch: vg18/scratch has no LVM tag xenplan; only volumes xenplan created are grown or removed"),
        Case(
            name: "removing a volume that is not there",
            operation: #"{"removeVolume":{"container":"vg18","name":"nothing"}}"#, rule: "owned-volumes",
            detail: "remove-volume vg18/nothing: there is no such volume among those this agent reads"),
        Case(
            name: "attaching a whole disk of the dom0",
            operation: #"{"attachDisk":{"domain":"www","disk":{"vdev":"xvdb","target":"/dev/sda","readOnly":false}}}"#,
            rule: "devices",
            detail: "block-attach www xvdb: /dev/sda is neither a volume of this session's volume groups or image directories nor a listed device"),
        Case(
            name: "attaching a read-only device for writing",
            operation: #"{"attachDisk":{"domain":"www","disk":{"vdev":"xvdb","target":"/dev/sr0","readOnly":false}}}"#,
            rule: "readOnlyDevices", detail: "block-attach www xvdb: /dev/sr0 may be attached read-only only"),
        Case(
            name: "a configuration whose disk is a device the policy does not list",
            operation:
                #"{"writeConfig":{"_0":{"name":"web2","type":"pv","memory":{"kib":524288},"maxmem":{"kib":1048576},"vcpus":1,"maxvcpus":2,"cpuWeight":256,"cpuCap":0,"boot":{"pygrub":{}},"disks":[{"vdev":"xvda","target":"/dev/nvme0n1","readOnly":false}],"nics":[],"protect":false,"autostart":true,"manifestHash":"abc"}}}"#,
            rule: "devices",
            detail:
                "write-config web2 xvda: /dev/nvme0n1 is neither a volume of this session's volume groups or image directories nor a listed device"),
        Case(
            name: "copying an image from outside the image sources",
            operation:
                #"{"createVolumeFromImage":{"container":"vg18","name":"web2-root","size":{"kib":8388608},"image":{"name":"shadow","path":"/etc/shadow","format":"raw"}}}"#,
            rule: "imageSources",
            detail: "copy-image vg18/web2-root: image shadow (/etc/shadow) is in no directory listed under imageSources or imageDirectories"),
        Case(
            name: "copying an image named by a path that is not written plainly",
            operation:
                #"{"createVolumeFromImage":{"container":"vg18","name":"web2-root","size":{"kib":8388608},"image":{"name":"base","path":"/srv/xen-images/./base.img","format":"raw"}}}"#,
            rule: "imageSources",
            detail:
                "copy-image vg18/web2-root: image base (/srv/xen-images/./base.img) is in no directory listed under imageSources or imageDirectories"),
        Case(
            name: "copying an image into a volume group the policy does not list",
            operation:
                #"{"createVolumeFromImage":{"container":"vg76","name":"web2-root","size":{"kib":8388608},"image":{"name":"debian12","path":"/var/lib/xenplan/images/debian12.qcow2","format":"qcow2"}}}"#,
            rule: "volumeGroups", detail: "copy-image vg76/web2-root: volume group vg76 is not listed"),
        Case(
            name: "copying an image into a directory the policy does not list",
            operation:
                #"{"createVolumeFromImage":{"container":"/root","name":"web2-root","size":{"kib":8388608},"image":{"name":"debian12","path":"/var/lib/xenplan/images/debian12.qcow2","format":"qcow2"}}}"#,
            rule: "imageDirectories", detail: "copy-image /root/web2-root.img: directory /root is not listed"),
        Case(
            name: "attaching another domain's seed",
            operation: #"{"attachDisk":{"domain":"www","disk":{"vdev":"xvdz","target":"/var/lib/xenplan/seed/ldap.iso","readOnly":true}}}"#,
            rule: "devices",
            detail:
                "block-attach www xvdz: /var/lib/xenplan/seed/ldap.iso is neither a volume of this session's volume groups or image directories nor a listed device"
        ),
        Case(
            name: "attaching a domain's own seed for writing",
            operation: #"{"attachDisk":{"domain":"www","disk":{"vdev":"xvdz","target":"/var/lib/xenplan/seed/www.iso","readOnly":false}}}"#,
            rule: "devices",
            detail:
                "block-attach www xvdz: /var/lib/xenplan/seed/www.iso is neither a volume of this session's volume groups or image directories nor a listed device"
        ),
        Case(
            name: "a bridge the policy does not list",
            operation: #"{"createBridge":{"name":"xenbr9","interface":"eth0"}}"#, rule: "bridges",
            detail: "create-bridge xenbr9: bridge xenbr9 is not listed"),
        Case(
            name: "a listed bridge on an interface it may not take",
            operation: #"{"createBridge":{"name":"xenbr1","interface":"eth1"}}"#, rule: "bridges",
            detail: "create-bridge xenbr1: interface eth1 is not in bridges.xenbr1.interfaces"),
        Case(
            name: "the ifupdown file of a bridge the policy does not list",
            operation: #"{"writeBridgeFile":{"_0":{"bridge":"xenbr9","interface":"eth0","vlan":9}}}"#, rule: "bridges",
            detail: "write-bridge-file xenbr9: bridge xenbr9 is not listed"),
        Case(
            name: "the ifupdown file of a listed bridge on an interface it may not take",
            operation: #"{"writeBridgeFile":{"_0":{"bridge":"xenbr1","interface":"eth1"}}}"#, rule: "bridges",
            detail: "write-bridge-file xenbr1: interface eth1 is not in bridges.xenbr1.interfaces"),
        Case(
            name: "removing the ifupdown file of a bridge the policy does not list",
            operation: #"{"removeBridgeFile":{"bridge":"xenbr9"}}"#, rule: "bridges",
            detail: "remove-bridge-file xenbr9: bridge xenbr9 is not listed"),
        Case(
            name: "shutting down a protected domain",
            operation: #"{"shutdown":{"domain":"ldap","timeoutSeconds":60}}"#, rule: "protected-domains",
            detail: "shutdown ldap: ldap is protected on this host; the agent never shuts down or destroys it"),
        Case(
            name: "destroying a protected domain",
            operation: #"{"destroy":{"domain":"ns1"}}"#, rule: "protected-domains",
            detail: "destroy ns1: ns1 is protected on this host; the agent never shuts down or destroys it"),
        Case(
            name: "destroying a protected domain under its migration name",
            operation: #"{"destroy":{"domain":"ldap--migratedaway"}}"#, rule: "protected-domains",
            detail: "destroy ldap--migratedaway: ldap is protected on this host; the agent never shuts down or destroys it"),
        Case(
            name: "discarding a migration copy of a protected domain",
            operation: #"{"discardMigrationCopy":{"domain":"ns1","role":"migratedAway"}}"#, rule: "protected-domains",
            detail: "discard-migration-copy ns1: ns1 is protected on this host; the agent never shuts down or destroys it"),
        Case(
            name: "removing the configuration of a protected domain that runs",
            operation: #"{"removeConfig":{"name":"ldap"}}"#, rule: "protected-domains",
            detail: "remove-config ldap: ldap is protected and runs here; removing its configuration would lift the protection"),
        Case(
            name: "discarding the saved memory of a protected domain",
            operation: #"{"removeSave":{"domain":"ldap","directory":"/var/lib/xenplan/save","partial":false}}"#,
            rule: "protected-domains",
            detail: "remove-save ldap: ldap is protected on this host; the agent never discards its saved memory"),
        Case(
            name: "restoring a backup over a volume xenplan did not create",
            operation:
                #"{"restoreVolume":{"container":"vg18","name":"scratch","size":{"kib":1048576},"source":{"domain":"web","id":"20261202T013000Z","path":"/srv/xen-images/xenplan-backups/web/20261202T013000Z/xvda.img","compressed":false,"sha256":"3f2a6f5a0c1a9a8e7b1c3d5e7f90a1b2c3d4e5f60718293a4b5c6d7e8f901234"},"replace":true}}"#,
            rule: "owned-volumes",
            detail: "restore-volume vg18/scratch: vg18/scratch has no LVM tag xenplan; only volumes xenplan created are replaced"),
        Case(
            name: "a backup of a volume in a volume group the hello did not name",
            operation:
                #"{"backup":{"_0":{"domain":"web","directory":"/srv/xen-images","disks":[{"vdev":"xvda","container":"vg99","volume":"web-root","size":{"kib":8388608},"poolKind":"lvm"}],"pause":true,"consistency":"pause","keep":7,"xenplanVersion":"0.13.0"}}}"#,
            rule: "volumeGroups",
            detail: "backup web xvda: volume group vg99 is listed, but this session's hello did not name it"),
    ]

    @Test(arguments: cases) func forbiddenOperationIsRefusedAndTheAgentServesOn(_ c: Case) async throws {
        let server = server(try AgentPolicy.load(path: policyPath, whenAbsent: .closed()))
        let before = try await footprint()
        #expect(await send(server, Self.hello).first?.type == "hello")
        let answer = try #require(await send(server, Self.perform(c.operation)).last)
        let message = "refused by the agent's policy \(policyPath), rule \(c.rule): \(c.detail)"
        #expect(answer.type == "error")
        #expect(answer.code == .policyDenied)
        #expect(answer.message == message)
        #expect(answer.error?.message == message)
        #expect(answer.error?.host == "cpt18")
        #expect(try await footprint() == before)
        // Still serving.
        #expect(await send(server, #"{"type":"observe","id":8}"#).last?.type == "state")
    }

    @Test func liftingTheProtectionOfADomainIsRefused() async throws {
        let server = server(try AgentPolicy.load(path: policyPath, whenAbsent: .closed()))
        let state = try await SimDriver(stateDirectory: agent.state, host: "cpt18", speed: 0).observe()
        var config = try #require(state.config(named: "ldap"))
        config.protect = false
        let operation = String(decoding: try JSONEncoder().encode(HostOperation.writeConfig(config)), as: UTF8.self)
        _ = await send(server, Self.hello)
        let answer = try #require(await send(server, Self.perform(operation)).last)
        #expect(answer.code == .policyDenied)
        #expect(
            answer.message
                == "refused by the agent's policy \(policyPath), rule protected-domains: write-config ldap: ldap is protected on this host and this would lift it; lift it on the host itself"
        )
        #expect(try await footprint().configs.first { $0.name == "ldap" }?.protect == true)
    }

    @Test func whatThePolicyAllowsIsDone() async throws {
        let server = server(try AgentPolicy.load(path: policyPath, whenAbsent: .closed()))
        _ = await send(server, Self.hello)
        for operation in [
            #"{"createVolume":{"container":"vg18","name":"web2-root","size":{"kib":1048576}}}"#,
            #"{"growVolume":{"container":"vg18","name":"web2-root","size":{"kib":2097152}}}"#,
            #"{"removeVolume":{"container":"vg18","name":"web2-root"}}"#,
            #"{"attachDisk":{"domain":"www","disk":{"vdev":"xvdc","target":"/dev/sr0","readOnly":true}}}"#,
            #"{"attachDisk":{"domain":"www","disk":{"vdev":"xvdd","target":"/dev/mapper/backup-www","readOnly":false}}}"#,
            #"{"createBridge":{"name":"xenbr1"}}"#,
            #"{"setMemory":{"domain":"ldap","target":{"kib":524288}}}"#,
        ] {
            let answer = await send(server, Self.perform(operation)).last
            #expect(answer?.type == "ok", "\(operation): \(answer?.message ?? "no answer")")
        }
    }

    final class OperationLog: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [HostOperation] = []
        func append(_ operation: HostOperation) { lock.withLock { list.append(operation) } }
        var all: [HostOperation] { lock.withLock { list } }
    }

    @Test func imagesAreReadFromTheDefaultSourceAndTheImageDirectories() async throws {
        let log = OperationLog()
        // The image and seed operations are recorded, not done.
        let server = server(try AgentPolicy.load(path: policyPath, whenAbsent: .closed())) { sim in
            InterceptingHost(sim: sim) { operation in
                switch operation {
                case .createVolumeFromImage, .writeSeed, .attachDisk: log.append(operation); return true
                default: return false
                }
            }
        }
        _ = await send(server, Self.hello)
        let operations = [
            #"{"createVolumeFromImage":{"container":"vg18","name":"web2-root","size":{"kib":8388608},"image":{"name":"debian12","path":"/var/lib/xenplan/images/debian12.qcow2","format":"qcow2"}}}"#,
            #"{"createVolumeFromImage":{"container":"/srv/xen-images","name":"web3-root","size":{"kib":8388608},"image":{"name":"base","path":"/srv/xen-images/base.img","format":"raw"}}}"#,
            // A protected domain's seed too: it changes nothing but the file the guest reads at its next first boot.
            #"{"writeSeed":{"_0":{"domain":"ldap","instanceId":"ldap-0002","hostname":"ldap","interfaces":[],"sshKeys":[]}}}"#,
            // A domain's own seed, read-only, is no device to list.
            #"{"attachDisk":{"domain":"www","disk":{"vdev":"xvdz","target":"/var/lib/xenplan/seed/www.iso","readOnly":true}}}"#,
        ]
        for operation in operations {
            let answer = await send(server, Self.perform(operation)).last
            #expect(answer?.type == "ok", "\(operation): \(answer?.message ?? "no answer")")
        }
        #expect(log.all.map(\.kind) == ["copy-image", "copy-image", "write-seed", "block-attach"])
    }

    @Test func imageSourcesReplaceTheDefault() async throws {
        let policy = try AgentPolicy.parse("volumeGroups: [vg18]\nimageSources: [/srv/golden/]\n", path: policyPath)
        #expect(policy.imageSources == ["/srv/golden"])
        #expect(policy.mayReadImage("/srv/golden/debian12.qcow2"))
        #expect(!policy.mayReadImage("/var/lib/xenplan/images/debian12.qcow2"))
        #expect(!policy.mayReadImage("/srv/golden"))
        #expect(!policy.mayReadImage("/srv/golden-not/x.img"))
        #expect(policy.adding(volumeGroups: [], imageDirectories: [], imageSources: ["/srv/more/"]).imageSources == ["/srv/golden", "/srv/more"])
        let server = server(policy)
        _ = await send(server, #"{"type":"hello","id":0,"versions":[2],"host":"cpt18","volumeGroups":["vg18"]}"#)
        let answer = await send(
            server,
            Self.perform(
                #"{"createVolumeFromImage":{"container":"vg18","name":"web2-root","size":{"kib":8388608},"image":{"name":"debian12","path":"/var/lib/xenplan/images/debian12.qcow2","format":"qcow2"}}}"#
            )
        ).last
        #expect(
            answer?.message
                == "refused by the agent's policy \(policyPath), rule imageSources: copy-image vg18/web2-root: image debian12 (/var/lib/xenplan/images/debian12.qcow2) is in no directory listed under imageSources or imageDirectories"
        )
        #expect(AgentPolicy.closed().imageSources == ["/var/lib/xenplan/images"])
        #expect(AgentPolicy.open().mayReadImage("/anywhere/x.img"))
    }

    @Test func aHelloCanNarrowThePolicyButNotWidenIt() async throws {
        let server = server(try AgentPolicy.load(path: policyPath, whenAbsent: .closed()))
        let wider = #"{"type":"hello","id":0,"versions":[2],"host":"cpt18","volumeGroups":["san","vg76"]}"#
        let refused = try #require(await send(server, wider).last)
        #expect(refused.code == .policyDenied)
        #expect(
            refused.message
                == "refused by the agent's policy \(policyPath), rule volumeGroups: the hello names volume group vg76, which is not listed")
        let elsewhere = #"{"type":"hello","id":1,"versions":[2],"host":"cpt18","imageDirectories":["/home"]}"#
        #expect(
            await send(server, elsewhere).last?.message
                == "refused by the agent's policy \(policyPath), rule imageDirectories: the hello names image directory /home, which is not listed")
        // A narrower hello is served.
        #expect(await send(server, #"{"type":"hello","id":2,"versions":[2],"host":"cpt18","volumeGroups":["san"]}"#).last?.type == "hello")
        let answer = await send(server, Self.perform(#"{"createVolume":{"container":"vg18","name":"x","size":{"kib":1048576}}}"#)).last
        #expect(
            answer?.message
                == "refused by the agent's policy \(policyPath), rule volumeGroups: create-volume vg18/x: volume group vg18 is listed, but this session's hello did not name it"
        )
    }

    @Test func withoutAPolicyFileADom0CreatesNothing() async throws {
        let absent = agent.state.appendingPathComponent("none.yaml").path
        let server = server(try AgentPolicy.load(path: absent, whenAbsent: .closed()))
        let refused = try #require(await send(server, Self.hello).last)
        #expect(
            refused.message
                == "refused by the agent's default policy (there is no \(absent)), rule volumeGroups: the hello names volume group san, which is not listed"
        )
        #expect(await send(server, #"{"type":"hello","id":1,"versions":[2],"host":"cpt18"}"#).last?.type == "hello")
        #expect(
            await send(server, Self.perform(#"{"createBridge":{"name":"xenbr1"}}"#)).last?.message
                == "refused by the agent's default policy (there is no \(absent)), rule bridges: create-bridge xenbr1: bridge xenbr1 is not listed")
        #expect(await send(server, Self.perform(#"{"setVcpus":{"domain":"www","count":1}}"#)).last?.type == "ok")
    }

    // MARK: The file

    @Test(arguments: [
        (
            "volumegroups: [vg18]",
            "the agent's policy P:1 has an unknown key 'volumegroups'; the keys are volumeGroups, imageDirectories, imageSources, devices, readOnlyDevices, bridges"
        ),
        ("volumeGroups: vg18", "the agent's policy P:1 volumeGroups: must be a list"),
        ("volumeGroups: [-vg]", "the agent's policy P:1 volumeGroups: '-vg' is not a volume group name"),
        ("imageDirectories: [srv/images]", "the agent's policy P:1 imageDirectories: 'srv/images' is not an absolute path"),
        ("imageDirectories: [/srv/../etc]", "the agent's policy P:1 imageDirectories: '/srv/../etc' is the root or has a '..' component"),
        (
            "devices: ['/dev/*']",
            "the agent's policy P:1 devices: '/dev/*' is too wide: name a device, or a prefix below a directory (/dev/mapper/backup-*)"
        ),
        ("bridges: [xenbr0]", "the agent's policy P:1 bridges: must map each bridge to the interfaces it may take ({} for none)"),
        ("bridges:\n  xenbr0: {interfaces: [eth0], vlan: 4}", "the agent's policy P:2 bridges.xenbr0: must be {interfaces: [IFACE, …]} or {}"),
        ("[vg18]", "the agent's policy P:1 must be a mapping of volumeGroups, imageDirectories, imageSources, devices, readOnlyDevices, bridges"),
    ])
    func aPolicyFileWithAMistakeIsRefusedNamingTheLine(_ text: String, _ expected: String) {
        #expect(throws: AgentPolicyError.self) { try AgentPolicy.parse(text, path: "P") }
        do {
            _ = try AgentPolicy.parse(text, path: "P")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test func anEmptyPolicyFileAllowsNothingToBeCreated() throws {
        let policy = try AgentPolicy.parse("# nothing yet\n", path: "P")
        #expect(policy == AgentPolicy(path: "P", fromFile: true, volumeGroups: [], imageDirectories: [], devices: [], bridges: [:]))
    }

    @Test func theForcedCommandsOwnStorageIsAddedToThePolicy() throws {
        let policy = try AgentPolicy.parse("volumeGroups: [vg18]\n", path: "P")
            .adding(volumeGroups: ["san"], imageDirectories: ["/srv/xen-images/"])
        #expect(policy.volumeGroups == ["vg18", "san"])
        #expect(policy.imageDirectories == ["/srv/xen-images"])
    }

    // MARK: The queue

    /// Holds a simulated host's `mem-set` until the test opens it.
    final class Gate: @unchecked Sendable {
        private let lock = NSLock()
        private var open = false
        private var waiters: [CheckedContinuation<Void, Never>] = []
        func wait() async {
            await withCheckedContinuation { c in
                let now: Bool = lock.withLock {
                    if open { return true }
                    waiters.append(c)
                    return false
                }
                if now { c.resume() }
            }
        }
        func release() {
            let list: [CheckedContinuation<Void, Never>] = lock.withLock {
                open = true
                defer { waiters = [] }
                return waiters
            }
            for c in list { c.resume() }
        }
    }

    /// A simulated host that sees each operation first: `intercept` returns true when it
    /// has dealt with the operation, which the simulator then does not do.
    struct InterceptingHost: HostDriver {
        let sim: SimDriver
        let intercept: @Sendable (HostOperation) async -> Bool
        var hostName: String { sim.hostName }
        func observe() async throws -> HostState { try await sim.observe() }
        func perform(_ operation: HostOperation) async throws {
            if await intercept(operation) { return }
            try await sim.perform(operation)
        }
    }

    /// The agent over pipes, as ssh connects it: lines in, answers (not progress) out.
    final class Connection: @unchecked Sendable {
        let input: LineWriter
        let answers: AsyncStream<AgentMessage>.AsyncIterator
        let task: Task<Void, Never>
        init(_ server: AgentServer) {
            var toServer: [Int32] = [0, 0], toClient: [Int32] = [0, 0]
            _ = pipe(&toServer)
            _ = pipe(&toClient)
            let serverInput = LineReader(fd: toServer[0], limit: AgentProtocol.maxLineBytes, closing: true)
            let serverOutput = LineWriter(fd: toClient[1])
            task = Task {
                await server.serve(input: serverInput, output: serverOutput)
                serverOutput.close()
            }
            input = LineWriter(fd: toServer[1])
            let lines = LineReader(fd: toClient[0], limit: 1 << 24, closing: true).events
            answers = AsyncStream<AgentMessage> { continuation in
                Task {
                    for await event in lines {
                        // Progress events come whenever the held operation outlasts the
                        // interval; only answers are counted here.
                        if case let .line(data) = event, let m = try? JSONDecoder().decode(AgentMessage.self, from: data),
                            m.type != "progress"
                        {
                            continuation.yield(m)
                        }
                    }
                    continuation.finish()
                }
            }.makeAsyncIterator()
        }
        func send(_ line: String) { input.write(Data((line + "\n").utf8)) }
    }

    /// A connected, greeted agent with bounds, serving request 1, a `mem-set` held at the gate.
    func busyAgent(
        maxQueuedRequests: Int = 32, maxQueuedBytes: Int = 8 << 20
    ) async
        -> (Gate, Connection, AsyncStream<AgentMessage>.AsyncIterator)
    {
        let gate = Gate()
        let connection = Connection(
            server(.open(), maxQueuedRequests: maxQueuedRequests, maxQueuedBytes: maxQueuedBytes) {
                InterceptingHost(sim: $0) { operation in
                    if case .setMemory = operation { await gate.wait() }
                    return false
                }
            })
        var answers = connection.answers
        connection.send(Self.hello)
        #expect(await answers.next()?.type == "hello")
        connection.send(#"{"type":"perform","id":1,"operation":{"setMemory":{"domain":"www","target":{"kib":524288}}}}"#)
        return (gate, connection, answers)
    }

    @Test func requestsBeyondTheQueueAreAnsweredBusyAndTheAgentServesOn() async throws {
        var (gate, connection, answers) = await busyAgent(maxQueuedRequests: 3)
        // In flight: the mem-set, then two observes waiting behind it.
        connection.send(#"{"type":"observe","id":2}"#)
        connection.send(#"{"type":"observe","id":3}"#)
        connection.send(#"{"type":"observe","id":4}"#)
        connection.send(#"{"type":"observe","id":"five"}"#)
        let busy4 = try #require(await answers.next())
        let busy5 = try #require(await answers.next())
        #expect(busy4.id == .number(4))
        #expect(busy4.code == .busy)
        #expect(busy4.message?.hasPrefix("3 requests (") == true)
        #expect(
            busy4.message?.hasSuffix(
                " bytes) are waiting, and at most 3 requests and 8388608 bytes may; nothing was done: send it again once earlier requests are answered"
            ) == true)
        #expect(busy5.id == .text("five"))
        #expect(busy5.code == .busy)
        gate.release()
        #expect(await answers.next()?.id == .number(1))
        #expect(await answers.next()?.id == .number(2))
        #expect(await answers.next()?.id == .number(3))
        connection.send(#"{"type":"observe","id":6}"#)
        let later = try #require(await answers.next())
        #expect(later.id == .number(6))
        #expect(later.type == "state")
        connection.input.close()
        await connection.task.value
    }

    @Test func bytesBeyondTheQueueAreRefusedWithTheRequestsOwnID() async throws {
        var (gate, connection, answers) = await busyAgent(maxQueuedBytes: 3000)
        // A string that looks like an id must not be taken for one.
        let padding = #"\"id\":99,"# + String(repeating: "x", count: 2400)
        connection.send(#"{"type":"observe","pad":""# + padding + #"","id":2}"#)
        connection.send(#"{"pad":{"nested":[""# + padding + #""]},"type":"observe","id":3}"#)
        let refused = try #require(await answers.next())
        #expect(refused.id == .number(3))
        #expect(refused.code == .busy)
        gate.release()
        #expect(await answers.next()?.id == .number(1))
        let second = try #require(await answers.next())
        #expect(second.id == .number(2))
        #expect(second.code == .badRequest)
        connection.input.close()
        await connection.task.value
    }

    private final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [AgentMessage] = []
        func append(_ m: AgentMessage) { lock.withLock { list.append(m) } }
        var messages: [AgentMessage] { lock.withLock { list } }
    }
}
