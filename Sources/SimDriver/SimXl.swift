import FoundationEssentials
import HostModel
import XenplanBasics

/// A refused `sim xl` command line: what is wrong, then the usage.
public struct SimXlError: Error, Hashable, Sendable, CustomStringConvertible {
    public var problem: String
    public init(_ problem: String) { self.problem = problem }
    public var description: String { "\(problem)\n\(SimXl.usage)" }
}

/// Changes a simulated host behind xenplan's back, as a person with `xl`, LVM and `ip`
/// would: the source of drift. Out-of-band commands take no latency and are not subject
/// to injected failures (those model xenplan's own operations); they are refused with
/// the same messages as the driver's operations.
public struct SimXl: Sendable {
    public static let usage = """
        usage: sim xl HOST COMMAND ARGS...
          mem-set DOMAIN SIZE                    set the balloon target (512M, 1G; a bare number is MiB)
          vcpu-set DOMAIN N                      set the online vCPUs
          sched-credit -d DOMAIN [-w WEIGHT] [-c CAP]
          create NAME KEY=VALUE...               start an unmanaged domain (no xenplan config); keys:
                                                 memory=SIZE (required) maxmem=SIZE vcpus=N maxvcpus=N
                                                 weight=N cap=N type=pv|pvh|hvm uuid=UUID
                                                 bridge=BRIDGE  vif=bridge=BRIDGE[,mac=MAC][,ip=IP][,rate=R][,vifname=N]
                                                 disk=VDEV:TARGET[:ro]  balloon=yes|no  ignore-shutdown=yes|no
                                                 (bridge, vif and disk may repeat)
          shutdown DOMAIN                        graceful: the domain goes away unless it ignores shutdown
          destroy DOMAIN                         the domain goes away at once
          crash DOMAIN                           the domain's state becomes crashed
          no-balloon DOMAIN                      the guest never gives memory back after mem-set down
          ignore-shutdown DOMAIN                 the guest never reacts to a shutdown request
          rm-config NAME                         delete /etc/xen/xenplan/NAME.cfg (the domain becomes unmanaged)
          save DOMAIN [DIRECTORY]                xl save to DIRECTORY/DOMAIN.save (default /var/lib/xenplan/save)
          restore DOMAIN [DIRECTORY]             xl restore from it (needs the domain's xenplan config)
          rm-save DOMAIN [DIRECTORY]             delete DIRECTORY/DOMAIN.save
          write CONTAINER/NAME                   the volume's content changes (a guest wrote to it)
          lvcreate CONTAINER NAME SIZE           create a volume (CONTAINER: a VG name or a dir pool path)
          lvremove CONTAINER/NAME                remove a volume
          vgcreate CONTAINER SIZE [shared]       add a volume group (or, for a /path, an image directory)
          brctl addbr BRIDGE [INTERFACE]         add a bridge
          edit-bridge-file BRIDGE                change xenplan's ifupdown file of BRIDGE by hand (a line appended)
          rm-bridge-file BRIDGE                  delete xenplan's ifupdown file of BRIDGE
          reboot                                 the dom0 restarts: no guest runs (xendomains off); bridges and
                                                 VLAN interfaces vanish except those xenplan's ifupdown files bring back
          set-latency KIND SECONDS               latency of an operation kind (e.g. create, migrate)
          set-balloon-rate SIZE                  memory a balloon driver releases per second
        """

    public let store: SimStore
    public let host: String
    public let clock: any SimClock

    public init(stateDirectory: URL, host: String, clock: any SimClock = SystemClock()) {
        self.store = SimStore(directory: stateDirectory)
        self.host = host
        self.clock = clock
    }

    /// Runs one command on the host's file (which must exist: a seed or a working copy)
    /// and returns a one-line confirmation.
    public func run(_ argv: [String]) throws -> String {
        let command = try SimXlCommand.parse(argv)
        let now = clock.now()
        if let operation = command.volumeOperation {
            // Through the driver's path, so that a shared volume group changes everywhere.
            let driver = SimDriver(stateDirectory: store.directory, host: host, clock: clock, speed: 0)
            try driver.applyVolumeOperation(operation, byXenplan: false)
            return command.confirmation
        }
        if !command.sharedContainers.isEmpty {
            // Through the driver's path, so that a shared pool's files change everywhere.
            let driver = SimDriver(stateDirectory: store.directory, host: host, clock: clock, speed: 0)
            return try driver.changeShared(command.sharedContainers) { file, _ in
                try command.apply(to: &file, host: host, now: now)
            }
        }
        return try store.withLocks([host]) { session in
            var file = try session.file(host)
            let message = try command.apply(to: &file, host: host, now: now)
            session.update(host, file)
            return message
        }
    }

    /// Runs one command on a file in memory: for building seeds from code.
    public static func run(_ argv: [String], on file: inout SimHostFile, host: String, now: Date) throws -> String {
        let command = try SimXlCommand.parse(argv)
        return try command.apply(to: &file, host: host, now: now)
    }
}
