import HostModel
import Planner
import XenplanBasics

/// The human form of a plan: grouped by host, one line per action with its symbol,
/// disruption class and reason, the host's use before and after, then N+1 and a summary.
struct PlanText {
    var plan: Plan
    var style: Style
    /// The directory the user named, repeated in the closing hint.
    var directory: String
    /// The last line, after the summary, when there is something to do.
    var closing: Closing = .applyHint

    enum Closing {
        /// `Run `xenplan apply DIR` to carry it out, or save it with `--out`.`
        case applyHint
        /// `Saved to FILE; apply it with `xenplan apply FILE`.` (`plan --out`)
        case saved(String)
        /// `Apply it with `xenplan apply FILE`…` (`show FILE`)
        case savedEarlier(String)
        /// Nothing: the plan is about to be carried out.
        case none
    }

    func render() -> String {
        var out: [String] = []
        // A manifest file that is gone comes first: what follows would destroy its guests.
        for notice in plan.notices where notice.kind == .manifestGone {
            out.append(style.red("warning:") + " " + notice.message)
        }
        if out.count > 0 { out.append("") }
        // Notices without a host, or about a host that was not observed, have no host section.
        let shownHosts = Set(plan.hosts.map(\.host))
        let labNotices = plan.notices.filter { ($0.host.map { !shownHosts.contains($0) } ?? true) && $0.kind != .manifestGone }
        let nameWidth = max(8, (plan.actions.compactMap(\.domain) + plan.notices.compactMap(\.domain)).map(\.count).max() ?? 0)

        for usage in plan.hosts {
            let host = usage.host
            let actions = plan.actions.filter { $0.host == host || $0.targetHost == host }
            let notices = plan.notices.filter { $0.host == host }
            out.append(header(usage))
            for action in actions {
                out.append(contentsOf: lines(for: action, on: host, nameWidth: nameWidth))
            }
            for notice in notices {
                out.append(line(for: notice, nameWidth: nameWidth))
            }
            if actions.isEmpty && notices.isEmpty { out.append(style.dim("  no changes")) }
            out.append("")
        }
        // Actions on hosts that were not observed cannot exist; notices without a host can.
        if !labNotices.isEmpty {
            out.append("lab")
            for notice in labNotices { out.append(line(for: notice, nameWidth: nameWidth)) }
            out.append("")
        }

        out.append(contentsOf: Self.nPlusOneLines(plan))
        out.append("")
        out.append(summaryLine())
        switch closing {
        case .applyHint where !plan.isEmpty:
            out.append("Run `xenplan apply \(directory)` to carry it out, or save it with `--out`.")
        case let .saved(file):
            out.append("Saved to \(file); apply it with `xenplan apply \(file)`.")
        case let .savedEarlier(file) where !plan.isEmpty:
            out.append("Apply it with `xenplan apply \(file)` (checked against the hosts first: a stale plan is refused).")
        case .savedEarlier:
            break
        case .applyHint, .none:
            break
        }
        return out.joined(separator: "\n")
    }

    /// `N+1: if cpt18 fails, 2 domains cannot restart elsewhere:` and one line per guest
    /// with why; or that the lab survives, or why it was not checked.
    static func nPlusOneLines(_ plan: Plan) -> [String] {
        if let why = plan.nPlusOneNotChecked { return ["N+1: not checked: \(why)."] }
        if plan.nPlusOne.isEmpty { return ["N+1: the lab survives the loss of any one host."] }
        var out: [String] = []
        for finding in plan.nPlusOne {
            let n = finding.stranded.count
            out.append(
                "N+1: if \(finding.failedHost) fails, \(n) \(n == 1 ? "domain" : "domains") cannot restart elsewhere"
                    + (finding.shortfall.kib > 0 ? " (\(finding.shortfall) short in all):" : ":"))
            for guest in finding.reasons { out.append("  \(guest.domain): \(guest.reason)") }
        }
        return out
    }

    private func header(_ u: HostUsage) -> String {
        let memory =
            u.memoryBefore == u.memoryAfter
            ? "memory \(u.memoryAfter) of \(u.memoryAvailable) available"
            : "memory \(u.memoryBefore) → \(u.memoryAfter) of \(u.memoryAvailable) available"
        let vcpus =
            u.vcpusBefore == u.vcpusAfter
            ? "vCPUs \(u.vcpusAfter) of \(u.vcpuLimit)"
            : "vCPUs \(u.vcpusBefore) → \(u.vcpusAfter) of \(u.vcpuLimit)"
        return style.bold(u.host) + "  \(memory)   \(vcpus)"
    }

    private func lines(for action: PlannedAction, on host: String, nameWidth: Int) -> [String] {
        let arriving = (action.kind == .migrate || action.kind == .move) && action.targetHost == host && action.host != host
        let label = Self.label(action.kind)
        let name = (action.domain ?? "").padded(to: nameWidth)
        let symbol = colored(action.kind.symbol, for: action.disruption)
        var summary = action.summary
        if arriving { summary = "arrives from \(action.host)" + (action.kind == .move ? ", cold (its volumes copied here)" : "") }
        var result = ["  \(symbol) \(label.padded(to: 9)) \(name)  \(summary)  [\(action.disruption.rawValue)]"]
        if !action.reason.isEmpty && !arriving {
            result.append(style.dim("      why: \(action.reason)"))
        }
        return result
    }

    private func line(for notice: Notice, nameWidth: Int) -> String {
        let label = Self.label(notice.kind)
        let name = (notice.domain ?? "").padded(to: nameWidth)
        return "  " + style.yellow("!") + " \(label.padded(to: 9)) \(name)  \(notice.message)"
    }

    private func colored(_ symbol: String, for disruption: Disruption) -> String {
        switch disruption {
        case .none: return style.green(symbol)
        case .live, .pause: return style.cyan(symbol)
        case .restart: return style.yellow(symbol)
        case .destroy, .dataLoss: return style.red(symbol)
        }
    }

    static func label(_ kind: ActionKind) -> String { kind.word }

    static func label(_ kind: NoticeKind) -> String {
        switch kind {
        case .pendingRestart: return "pending"
        case .unmanaged: return "unmanaged"
        case .orphanVolume: return "orphan"
        case .protected: return "protected"
        case .migrationBlocked: return "blocked"
        case .shrinkRefused: return "no-shrink"
        case .excluded: return "excluded"
        case .unplaceable: return "unplaced"
        case .inTransition: return "moving"
        case .unknown: return "unknown"
        case .manifestGone: return "gone"
        case .diskInUse: return "disk-busy"
        case .firstBoot: return "first-boot"
        case .saveMissing: return "no-save"
        case .restoredOutside: return "restored"
        case .interruptedSave: return "partial"
        case .backup: return "backup"
        case .bridge: return "bridge"
        }
    }

    /// `Plan: 1 to create, 2 to change live, 1 to migrate, 1 to destroy; 1 pending restart, 1 unmanaged.`
    func summaryLine() -> String {
        var parts: [String] = []
        func add(_ n: Int, _ text: String) { if n > 0 { parts.append("\(n) \(text)") } }
        let kinds = plan.countsByKind
        func count(_ ks: ActionKind...) -> Int { ks.reduce(0) { $0 + (kinds[$1] ?? 0) } }
        add(count(.create), "to create")
        add(count(.start), "to start")
        add(count(.createBridge), count(.createBridge) == 1 ? "bridge to create" : "bridges to create")
        add(count(.bridgeFile), count(.bridgeFile) == 1 ? "ifupdown file to write or remove" : "ifupdown files to write or remove")
        add(count(.createVolume), count(.createVolume) == 1 ? "volume to create" : "volumes to create")
        let live = plan.actions.filter { $0.disruption == .live }.count
        add(live, "to change live")
        add(count(.migrate), "to migrate")
        add(count(.move), "to move cold")
        add(count(.restart), "to restart")
        add(count(.stop), "to stop")
        add(count(.suspend), "to suspend")
        add(count(.resume), "to resume")
        add(count(.destroy), "to destroy")
        add(count(.removeSave), count(.removeSave) == 1 ? "save file to remove" : "save files to remove")
        add(count(.removeVolume), count(.removeVolume) == 1 ? "volume to remove" : "volumes to remove")
        add(count(.writeConfig), count(.writeConfig) == 1 ? "configuration to write" : "configurations to write")
        add(count(.backup), count(.backup) == 1 ? "backup to make" : "backups to make")
        add(count(.restoreVolume), count(.restoreVolume) == 1 ? "volume to restore" : "volumes to restore")
        // Whatever the words above leave out is still counted: a plan with actions never
        // reads as "No changes".
        if parts.isEmpty && !plan.isEmpty { add(plan.actions.count, plan.actions.count == 1 ? "action" : "actions") }

        var noticeParts: [String] = []
        let notices = plan.noticeCounts
        for kind in NoticeKind.allCases {
            guard let n = notices[kind], n > 0 else { continue }
            noticeParts.append("\(n) \(Self.noticeNoun(kind, n))")
        }
        if parts.isEmpty {
            let tail = noticeParts.isEmpty ? "" : " (\(noticeParts.joined(separator: ", ")))"
            return "No changes. The hosts match the manifests\(tail)."
        }
        return "Plan: " + parts.joined(separator: ", ") + (noticeParts.isEmpty ? "" : "; " + noticeParts.joined(separator: ", ")) + "."
    }

    static func noticeNoun(_ kind: NoticeKind, _ n: Int) -> String {
        switch kind {
        case .pendingRestart: return n == 1 ? "pending restart" : "pending restarts"
        case .unmanaged: return "unmanaged"
        case .orphanVolume: return n == 1 ? "orphan volume" : "orphan volumes"
        case .protected: return "protected"
        case .migrationBlocked: return n == 1 ? "blocked migration" : "blocked migrations"
        case .shrinkRefused: return n == 1 ? "shrink refused" : "shrinks refused"
        case .excluded: return "excluded"
        case .unplaceable: return "unplaceable"
        case .inTransition: return "in transition"
        case .unknown: return "unknown"
        case .manifestGone: return n == 1 ? "manifest file gone" : "manifest files gone"
        case .diskInUse: return n == 1 ? "held back by a busy disk" : "held back by busy disks"
        case .firstBoot: return n == 1 ? "first-boot identity not applied" : "first-boot identities not applied"
        case .saveMissing: return n == 1 ? "save file missing" : "save files missing"
        case .restoredOutside: return "restored outside xenplan"
        case .interruptedSave: return n == 1 ? "interrupted save" : "interrupted saves"
        case .backup: return n == 1 ? "backup note" : "backup notes"
        case .bridge: return n == 1 ? "bridge note" : "bridge notes"
        }
    }
}
