import FoundationEssentials
import HostModel
import XenplanBasics

extension XenDriver {
    /// How long a grown disk's backend may take to show the new size: blkback compares
    /// its device's size with the one it announced each time its thread wakes (at least
    /// every 100 ms, requests or not) and then writes `sectors` and tells the frontend.
    var growthWait: Duration { pollInterval * 20 }

    /// After a volume grew under running guests: a file's loop device (xl's `block`
    /// script puts a `dir` pool's disk on one) is told its file's size
    /// (`losetup --set-capacity`); then every backend of the target must show the new
    /// size in xenstore (`/local/domain/0/backend/vbd/DOMID/DEVID/sectors`, 512-byte
    /// sectors) within `growthWait`, or the operation fails naming the guest that was
    /// not told. Xen 4.17's xl has no `block-resize`: blkback notices the device's new
    /// size by itself. A backend whose frontend is not connected (state 4) is not
    /// waited for: blkback reads the size when the guest connects.
    func tellGuests(target: String, size: ByteSize, loop: Bool) async throws {
        let kind = "grow-volume"
        let users = try backends(of: target)
        guard !users.isEmpty else { return }
        if loop {
            let listed = try await run(XenCommands.loopDevices(of: target), operation: kind)
            for device in listed.stdout.split(whereSeparator: \.isNewline).map({ $0.trimmingSpaces() })
            where !device.isEmpty {
                try await run(XenCommands.loopSetCapacity(device), operation: kind)
            }
        }
        let sectors = size.kib * 2
        let clock = ContinuousClock()
        let deadline = clock.now + growthWait
        while true {
            var behind: [(user: (domid: Int, name: String, disk: VbdBackend), seen: String)] = []
            for user in users where connected(user) {
                let seen = (try? store.read("/local/domain/0/backend/vbd/\(user.domid)/\(user.disk.devid)/sectors")) ?? nil
                if seen.flatMap({ Int64($0) }) != sectors { behind.append((user, seen ?? "nothing")) }
            }
            guard let first = behind.first else { return }
            if clock.now >= deadline {
                throw failure(
                    kind, domain: first.user.name,
                    "\(target) grew to \(size) (\(sectors) sectors), but the backend of \(first.user.name)'s disk \(first.user.disk.vdev) "
                        + "still shows \(first.seen) sectors after \(growthWait.shownSeconds): the guest was not told the new size; "
                        + "detach and attach the disk, or restart the guest")
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    private func connected(_ user: (domid: Int, name: String, disk: VbdBackend)) -> Bool {
        (try? store.read("/local/domain/0/backend/vbd/\(user.domid)/\(user.disk.devid)/state")) == "4"
    }

    /// The running domains whose block backend is `target`.
    private func backends(of target: String) throws -> [(domid: Int, name: String, disk: VbdBackend)] {
        let domains: [Int: XenStoreDomain]
        do { domains = try XenStoreSnapshot.read(store, socket: xenstoreSocket) } catch {
            throw failure("grow-volume", "cannot read xenstore: \(error)")
        }
        return domains.keys.sorted().flatMap { domid in
            let d = domains[domid]!
            return d.disks.filter { $0.target == target }.map { (domid, d.name ?? "domain \(domid)", $0) }
        }
    }
}
