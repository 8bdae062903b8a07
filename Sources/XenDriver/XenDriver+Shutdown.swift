import FoundationEssentials
import HostModel
import XenplanBasics

extension XenDriver {
    /// `xl shutdown D` (which only asks the guest), then waits for the domain to go: a
    /// watch on `@releaseDomain` wakes the wait when any domain dies, and the hypervisor's
    /// list says whether it was this one. After `timeout`, `xl destroy D`.
    func shutdown(_ domain: String, timeout: Duration) async throws {
        guard let domid = try currentDomid(of: domain) else { return }  // already gone
        let token = "xenplan-shutdown-\(domid)"
        do {
            try store.watch("@releaseDomain", token: token)
        } catch {
            throw failure("shutdown", domain: domain, "cannot watch @releaseDomain: \(error)")
        }
        defer { store.unwatch("@releaseDomain", token: token) }
        try await run(XenCommands.shutdown(domain), operation: "shutdown", domain: domain)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if try isGone(domid: domid) { return try await reap(domid: domid, domain: domain, token: token) }
            try await waitForRelease(upTo: deadline - clock.now, token: token)
        }
        if try isGone(domid: domid) { return try await reap(domid: domid, domain: domain, token: token) }
        try await run(XenCommands.destroy(domain), operation: "shutdown", domain: domain)
    }

    /// A guest that powered off stays listed, holding its disks and its name, until xl's
    /// own process reaps it (`on_poweroff=destroy`). The action ends only once Xen no
    /// longer lists it, so that what follows (a restore over its volumes, a start of the
    /// same name) finds it gone: after `60 × pollInterval` (30 s; xl's reaper is slow on a
    /// loaded host) it is destroyed; a domain Xen is already tearing down (dying) is left
    /// to finish. A destroy that fails because xl's reaper got there first is no failure.
    func reap(domid: UInt16, domain: String, token: String) async throws {
        let clock = ContinuousClock()
        var deadline = clock.now + pollInterval * 60
        var destroyed = false
        while true {
            guard let info = try hypervisor.domainInfoList().first(where: { $0.domid == domid }) else { return }
            if clock.now >= deadline {
                if destroyed || info.isDying { return }
                destroyed = true
                do {
                    try await run(XenCommands.destroy(domain), operation: "shutdown", domain: domain)
                } catch {
                    let now = try hypervisor.domainInfoList().first { $0.domid == domid }
                    guard let now, !now.isDying else { return }
                    throw error
                }
                deadline = clock.now + pollInterval * 60
                continue
            }
            try await waitForRelease(upTo: deadline - clock.now, token: token)
        }
    }

    /// How often a wait looks for its watch event: often enough that a release is seen
    /// at once, and the check costs nothing (no process, no hypervisor call).
    static let watchCheck: Duration = .milliseconds(20)

    /// Waits at most `pollInterval` (or `left`); a domain's release, seen by this wait's
    /// own watch (`token`), ends it sooner. It sleeps between checks rather than block a
    /// thread in `poll`: several shutdowns may wait at once (an agent serving several
    /// requests), and a blocked thread of Swift's small pool would hold up all the others.
    private func waitForRelease(upTo left: Duration, token: String) async throws {
        let clock = ContinuousClock()
        let end = clock.now + min(left, pollInterval)
        while clock.now < end {
            if try store.takeWatchEvent(token: token) { return }
            try await Task.sleep(for: min(Self.watchCheck, end - clock.now))
        }
    }

    /// The domid of a domain named `name` (not transient), from xenstore's names.
    func currentDomid(of name: String) throws -> UInt16? {
        let infos = try hypervisor.domainInfoList()
        for info in infos where info.domid != 0 && !info.isDying {
            if try store.read("/local/domain/\(info.domid)/name") == name { return info.domid }
        }
        return nil
    }

    /// Gone: no longer listed, dying, or shut down (xl's `on_poweroff=destroy` will reap it;
    /// a domain kept in the shutdown state holds no running guest either).
    func isGone(domid: UInt16) throws -> Bool {
        guard let info = try hypervisor.domainInfoList().first(where: { $0.domid == domid }) else { return true }
        return info.isDying || (info.isShutdown && info.shutdownReason == 0)
    }
}
