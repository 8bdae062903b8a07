import HostModel
import Planner
import XenplanBasics

extension Executor {
    /// A memory decrease is complete only when the guest has given the pages back, since
    /// the actions after it count on that memory (docs/apply.md, "How actions run"):
    /// polls the host, with a growing interval, until the domain's actual memory is
    /// within the tolerance of its target, or the timeout ends the apply.
    func waitForBalloon(_ action: PlannedAction, on driver: any HostDriver) async -> ActionFailure? {
        var request: (domain: String, target: ByteSize)?
        for case let .setMemory(domain, target) in action.operations { request = (domain, target) }
        guard let (domain, target) = request else { return nil }
        observer.willWaitForBalloon(action, domain: domain, target: target)

        let start = clock.now()
        let deadline = start + options.balloonTimeout
        var interval = Duration.milliseconds(100)
        var lastSeen: ByteSize?
        while true {
            let state: HostState
            do {
                state = try await driver.observe()
            } catch let error as HostError {
                return ActionFailure(operation: "balloon", message: error.message)
            } catch {
                return ActionFailure(operation: "balloon", message: "\(error)")
            }
            guard let observed = state.domains.first(where: { $0.name == domain && $0.domid != 0 && $0.transient == nil }) else {
                return ActionFailure(
                    operation: "balloon", message: "domain \(domain) disappeared from \(driver.hostName) while its balloon was deflating")
            }
            lastSeen = observed.memoryActual
            if observed.memoryActual <= target + options.balloonTolerance { return nil }
            observer.balloonHolds(action, domain: domain, holds: observed.memoryActual, target: target)
            let now = clock.now()
            if now >= deadline { break }
            do {
                try await clock.sleep(for: min(interval, deadline - now))
            } catch {
                break
            }
            interval = min(interval * 2, .seconds(5))
        }
        let seconds = options.balloonTimeout.components.seconds
        let holds = lastSeen.map { "it still holds \($0), target \(target)" } ?? "target \(target)"
        return ActionFailure(
            operation: "balloon",
            message: "guest \(domain) on \(driver.hostName) did not give memory back within \(seconds) s (\(holds)); "
                + "is its balloon driver loaded? The apply stops here; raise --balloon-timeout or set its memory by a restart",
            stopsApply: true)
    }
}
