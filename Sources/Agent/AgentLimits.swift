import FoundationEssentials
import HostModel
import XenplanBasics

/// How long the client waits for each answer of an agent, and how long an answer line
/// may be. A host that misses a deadline is named in the error and its ssh is stopped:
/// a peer that never answers must not hang `plan` or `drift` forever. Every value can be
/// set from the environment (docs/commands.md).
public struct AgentLimits: Hashable, Sendable {
    /// The hello: ssh's own connection (ConnectTimeout 15 s) and the agent's start.
    public var connect: Duration = .seconds(60)
    public var observe: Duration = .seconds(60)
    /// `xl create`: a guest with large memory takes a while to build.
    public var create: Duration = .seconds(600)
    /// `xl migrate`: copying the memory of a large guest over a slow link; `xl save` and
    /// `xl restore` write and read as much memory to and from disk.
    public var migrate: Duration = .seconds(1800)
    /// Filling a volume from an image or a backup: hashing it, then copying every block of
    /// a large disk; a backup has this long for each of its disks.
    public var copyImage: Duration = .seconds(3600)
    /// Added to a shutdown's own timeout (after which the agent destroys the domain).
    public var shutdownMargin: Duration = .seconds(120)
    /// Every other operation and the apply lock's requests.
    public var operation: Duration = .seconds(120)
    /// The longest answer line read; a longer one ends the session.
    public var maxReplyBytes: Int = 16 << 20

    public init() {}

    /// The environment variable that sets each deadline, named in error messages.
    public enum Setting: String, Sendable, CaseIterable {
        case connect = "XENPLAN_TIMEOUT_CONNECT"
        case observe = "XENPLAN_TIMEOUT_OBSERVE"
        case create = "XENPLAN_TIMEOUT_CREATE"
        case migrate = "XENPLAN_TIMEOUT_MIGRATE"
        case copyImage = "XENPLAN_TIMEOUT_COPY_IMAGE"
        case shutdownMargin = "XENPLAN_TIMEOUT_SHUTDOWN_MARGIN"
        case operation = "XENPLAN_TIMEOUT_OPERATION"
    }
    public static let maxReplySetting = "XENPLAN_MAX_REPLY"

    /// A deadline and the setting that changes it.
    public struct Deadline: Hashable, Sendable {
        public var duration: Duration
        public var setting: String
    }

    public func deadline(_ setting: Setting) -> Deadline {
        let duration: Duration
        switch setting {
        case .connect: duration = connect
        case .observe: duration = observe
        case .create: duration = create
        case .migrate: duration = migrate
        case .copyImage: duration = copyImage
        case .shutdownMargin: duration = shutdownMargin
        case .operation: duration = operation
        }
        return Deadline(duration: duration, setting: setting.rawValue)
    }

    /// The deadline of one operation: by its kind, a shutdown by its own timeout too.
    public func deadline(for operation: HostOperation) -> Deadline {
        switch operation {
        case .create: return deadline(.create)
        case .migrate: return deadline(.migrate)
        case .save, .restore: return deadline(.migrate)
        case .createVolumeFromImage, .restoreVolume: return deadline(.copyImage)
        case .sendVolume:
            // The volume is read whole three times: hashed here, copied, hashed there.
            let copy = deadline(.copyImage)
            return Deadline(duration: copy.duration * 3, setting: copy.setting)
        case let .backup(job):
            // Each disk is read whole twice (hashed, then copied): one image copy's time each.
            let copy = deadline(.copyImage)
            return Deadline(duration: copy.duration * max(1, min(job.disks.count, 64)), setting: copy.setting)
        case let .shutdown(_, timeoutSeconds):
            return Deadline(
                duration: .seconds(min(max(0, timeoutSeconds), 86_400)) + shutdownMargin,
                setting: Setting.shutdownMargin.rawValue)
        default: return deadline(.operation)
        }
    }

    /// The defaults, with what the environment sets: seconds (`90`, `0.5`) for deadlines,
    /// a size (`64M`) for the reply limit.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(HostLimitsError) -> AgentLimits {
        var limits = AgentLimits()
        for setting in Setting.allCases {
            guard let text = environment[setting.rawValue] else { continue }
            guard let seconds = Double(text), seconds.isFinite, seconds > 0, seconds <= 7 * 86_400 else {
                throw HostLimitsError(message: "\(setting.rawValue)=\(shownValue(text)) is not a number of seconds between 0 and 604800 (one week)")
            }
            let duration = Duration.milliseconds(Int64((seconds * 1000).rounded(.up)))
            switch setting {
            case .connect: limits.connect = duration
            case .observe: limits.observe = duration
            case .create: limits.create = duration
            case .migrate: limits.migrate = duration
            case .copyImage: limits.copyImage = duration
            case .shutdownMargin: limits.shutdownMargin = duration
            case .operation: limits.operation = duration
            }
        }
        if let text = environment[maxReplySetting] {
            guard let size = try? ByteSize.parse(text), size.kib >= 64, size.kib <= 1 << 20 else {
                throw HostLimitsError(message: "\(maxReplySetting)=\(shownValue(text)) is not a size between 64K and 1G")
            }
            limits.maxReplyBytes = Int(size.kib) * 1024
        }
        return limits
    }
}

/// A setting of `AgentLimits` in the environment that is not a usable value.
public struct HostLimitsError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension Int {
    /// `16 MiB`: a byte count as messages show it.
    var shownBytes: String { ByteSize(kib: Int64(self / 1024)).description }
}
