import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

/// `xl save` / `xl restore`: the memory freed and taken back, the save file in its
/// directory, the refusals of xl in its words, faults that change nothing.
@Suite struct SaveTests {
    static let home = SaveState.defaultDirectory
    static let pool = "/srv/pool"

    /// cpt18 with www (512 MiB of 1 GiB, root on vg18) running and a dir pool /srv/pool
    /// of 2 GiB, shared.
    func host(_ fx: SimFixture, _ name: String = "cpt18", vg: String = "vg18") async throws -> SimDriver {
        let driver = fx.driver(name)
        try fx.prepare(driver, localVG: vg)
        try driver.edit { $0.storage[Self.pool] = SimHostFile.Container(type: .dir, capacity: .gib(2), shared: true) }
        return driver
    }

    static let www = SimFixture.config("www", disks: [.init(vdev: "xvda", target: "/dev/san/www-root")])

    func running(_ fx: SimFixture) async throws -> SimDriver {
        let driver = try await host(fx)
        try await driver.perform(.createVolume(container: "san", name: "www-root", size: .gib(5)))
        try await fx.start(driver, Self.www)
        return driver
    }

    @Test func saveFreesTheMemoryAndRestoreTakesItBack() async throws {
        let fx = SimFixture()
        let driver = try await running(fx)
        #expect(try await driver.observe().freeMemory == .mib(30208 - 515))

        try await driver.perform(.save(domain: "www", directory: Self.home))
        var state = try await driver.observe()
        #expect(state.guests.isEmpty)
        #expect(state.freeMemory == SimFixture.emptyFree)
        #expect(state.saves == [SaveState(directory: Self.home, domain: "www", size: .mib(512))])
        #expect(state.save(of: "www")?.path == "/var/lib/xenplan/save/www.save")
        #expect(state.configs.map(\.name) == ["www"])

        try await driver.perform(.restore(domain: "www", directory: Self.home))
        state = try await driver.observe()
        #expect(state.guests.map(\.name) == ["www"])
        #expect(state.domain(named: "www")?.disks == [DiskState(vdev: "xvda", target: "/dev/san/www-root", readOnly: false)])
        #expect(state.freeMemory == .mib(30208 - 515))
        #expect(state.saves.isEmpty)
    }

    /// The file holds what the guest holds when it is saved: a ballooned-down guest's
    /// smaller memory.
    @Test func saveFileHoldsTheMemoryTheGuestHasNow() async throws {
        let fx = SimFixture()
        let driver = try await running(fx)
        try await driver.perform(.setMemory(domain: "www", target: .mib(256)))
        fx.clock.advance(by: 0.5)
        try await driver.perform(.save(domain: "www", directory: Self.home))
        #expect(try await driver.observe().saves.map(\.size) == [.mib(384)])
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var label: String
        var arrange: @Sendable (SimDriver, SimFixture) async throws -> Void
        var operation: HostOperation
        var message: String
        var domain = "www"
        var testDescription: String { label }
    }

    @Test(arguments: [
        Refusal(
            label: "save of a domain that does not run", arrange: { _, _ in },
            operation: .save(domain: "db", directory: home), message: "db is an invalid domain identifier (rc=-6)",
            domain: "db"),
        Refusal(
            label: "save into a directory observation never reads", arrange: { _, _ in },
            operation: .save(domain: "www", directory: "/tmp"), message: "/tmp: No such file or directory"),
        Refusal(
            label: "save into a dir pool without room",
            arrange: { d, _ in try await d.perform(.createVolume(container: pool, name: "big", size: .mib(1600))) },
            operation: .save(domain: "www", directory: pool), message: "/srv/pool/www.save.partial: No space left on device"),
        Refusal(
            label: "restore while the domain runs (one copy only)",
            arrange: { d, fx in
                try await d.perform(.save(domain: "www", directory: home))
                _ = try fx.xl().run(["create", "www", "memory=512M"])
            },
            operation: .restore(domain: "www", directory: home), message: "Domain with name \"www\" already exists."),
        Refusal(
            label: "restore a second time",
            arrange: { d, _ in
                try await d.perform(.save(domain: "www", directory: home))
                try await d.perform(.restore(domain: "www", directory: home))
                try await d.perform(.destroy(domain: "www"))
            },
            operation: .restore(domain: "www", directory: home), message: "Can't open restore file: No such file or directory"),
        Refusal(
            label: "restore without the configuration",
            arrange: { d, _ in
                try await d.perform(.save(domain: "www", directory: home))
                try await d.perform(.removeConfig(name: "www"))
            },
            operation: .restore(domain: "www", directory: home),
            message: "Failed to read config file: /etc/xen/xenplan/www.cfg: No such file or directory"),
        Refusal(
            label: "restore without the memory",
            arrange: { d, fx in
                try await d.perform(.save(domain: "www", directory: home))
                _ = try fx.xl().run(["create", "big", "memory=29900M"])
            },
            operation: .restore(domain: "www", directory: home), message: "failed to free memory for the domain"),
        Refusal(
            label: "restore from another directory than the save's",
            arrange: { d, _ in try await d.perform(.save(domain: "www", directory: home)) },
            operation: .restore(domain: "www", directory: pool), message: "Can't open restore file: No such file or directory"),
    ])
    func refused(_ c: Refusal) async throws {
        let fx = SimFixture()
        let driver = try await running(fx)
        try await c.arrange(driver, fx)
        let before = try driver.file()
        let error = await thrown { try await driver.perform(c.operation) }
        #expect(error == HostError(host: "cpt18", operation: c.operation.kind, domain: c.domain, message: c.message))
        #expect(try driver.file() == before)
    }

    @Test func aSaveReplacesAStaleFileAndRemoveSaveUnlinksIt() async throws {
        let fx = SimFixture()
        let driver = try await running(fx)
        try driver.edit {
            $0.saves = [
                SaveState(directory: Self.home, domain: "www", size: .mib(100)),
                SaveState(directory: Self.home, domain: "www", size: .mib(50), partial: true),
            ]
        }
        try await driver.perform(.save(domain: "www", directory: Self.home))
        #expect(try await driver.observe().saves == [SaveState(directory: Self.home, domain: "www", size: .mib(512))])
        try await driver.perform(.removeSave(domain: "www", directory: Self.home, partial: false))
        let state = try await driver.observe()
        #expect(state.saves.isEmpty)
        #expect(state.guests.isEmpty)
    }

    /// A save file in a dir pool takes its room, and the pool is a file system every
    /// sharing host sees: the guest saved on cpt18 is restored on cpt76.
    @Test func aSharedPoolCarriesTheSaveToAnotherHost() async throws {
        let fx = SimFixture()
        let cpt76 = try await host(fx, "cpt76", vg: "vg76")
        let cpt18 = try await running(fx)
        try await cpt18.perform(.save(domain: "www", directory: Self.pool))
        #expect(try cpt18.file().freeSpace(in: Self.pool) == .mib(1536))
        let saved = SaveState(directory: Self.pool, domain: "www", size: .mib(512))
        #expect(try await cpt76.observe().saves == [saved])
        #expect(try cpt76.file().freeSpace(in: Self.pool) == .mib(1536))

        try await cpt76.perform(.writeConfig(Self.www))
        try await cpt76.perform(.restore(domain: "www", directory: Self.pool))
        #expect(try await cpt76.observe().guests.map(\.name) == ["www"])
        #expect(try await cpt18.observe().saves.isEmpty)
        #expect(try cpt18.file().freeSpace(in: Self.pool) == .gib(2))
    }

    struct Fault: Sendable, CustomTestStringConvertible {
        var operation: HostOperation
        var testDescription: String { operation.kind }
    }

    /// A failed save leaves the guest running and no file; a failed restore leaves the
    /// file and no guest; a failed removal leaves the file.
    @Test(arguments: [
        Fault(operation: .save(domain: "www", directory: home)),
        Fault(operation: .restore(domain: "www", directory: home)),
        Fault(operation: .removeSave(domain: "www", directory: home, partial: false)),
    ])
    func aFaultChangesNothing(_ c: Fault) async throws {
        let fx = SimFixture()
        let driver = try await running(fx)
        if c.operation.kind != "save" { try await driver.perform(.save(domain: "www", directory: Self.home)) }
        try driver.fail(c.operation.kind)
        let before = try driver.file()
        let error = await thrown { try await driver.perform(c.operation) }
        #expect(
            error
                == HostError(
                    host: "cpt18", operation: c.operation.kind, domain: "www",
                    message: "simulated failure of \(c.operation.kind)"))
        var expected = before
        expected.failures = [:]
        #expect(try driver.file() == expected)
        let state = try await driver.observe()
        #expect(state.guests.map(\.name) == (c.operation.kind == "save" ? ["www"] : []))
        #expect(state.saves.map(\.domain) == (c.operation.kind == "save" ? [] : ["www"]))
    }

    /// A save cut short leaves its partial file and the guest running; a restore never
    /// reads a partial file, and remove-save names it exactly.
    @Test func anInterruptedSaveLeavesAPartialFile() async throws {
        let fx = SimFixture()
        _ = try await running(fx)
        _ = try fx.xl().run(["set-latency", "save", "3600"])
        let slow = SimDriver(stateDirectory: fx.directory, host: "cpt18", clock: fx.clock, speed: 1)
        let task = Task { try await slow.perform(.save(domain: "www", directory: Self.pool)) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        let driver = fx.driver()
        var state = try await driver.observe()
        #expect(state.guests.map(\.name) == ["www"])
        #expect(state.saves == [SaveState(directory: Self.pool, domain: "www", size: .mib(512), partial: true)])
        #expect(state.saves.first?.path == "/srv/pool/www.save.partial")
        #expect(state.save(of: "www") == nil)
        try await driver.perform(.destroy(domain: "www"))
        let error = await thrown { try await driver.perform(.restore(domain: "www", directory: Self.pool)) }
        #expect(error?.message == "Can't open restore file: No such file or directory")
        try await driver.perform(.removeSave(domain: "www", directory: Self.pool, partial: true))
        state = try await driver.observe()
        #expect(state.saves.isEmpty)
    }

    /// 512 MiB/s: a guest of 512 MiB takes a second, plus the kind's latency.
    @Test func durationFollowsTheMemory() async throws {
        let fx = SimFixture()
        let driver = try await running(fx)
        _ = try fx.xl().run(["set-latency", "save", "2"])
        let now = fx.clock.now()
        #expect(try driver.file().saveSeconds(.save(domain: "www", directory: Self.home), at: now) == 3)
        #expect(try driver.file().saveSeconds(.restore(domain: "www", directory: Self.home), at: now) == 0)
        try await driver.perform(.save(domain: "www", directory: Self.home))
        #expect(try driver.file().saveSeconds(.restore(domain: "www", directory: Self.home), at: now) == 1)
    }

    /// A person's `xl save` / `xl restore` and a deleted save file: drift sources.
    @Test func behindXenplansBack() async throws {
        let fx = SimFixture()
        let cpt18 = try await running(fx)
        _ = try await host(fx, "cpt76", vg: "vg76")
        #expect(try fx.xl().run(["save", "www"]) == "www: saved to /var/lib/xenplan/save/www.save")
        #expect(try await cpt18.observe().save(of: "www")?.size == .mib(512))
        #expect(try fx.xl().run(["restore", "www"]) == "www: restored from /var/lib/xenplan/save/www.save")
        #expect(try await cpt18.observe().guests.map(\.name) == ["www"])
        #expect(try fx.xl().run(["save", "www", Self.pool]) == "www: saved to /srv/pool/www.save")
        #expect(try await fx.driver("cpt76").observe().save(of: "www")?.directory == Self.pool)
        #expect(try fx.xl().run(["rm-save", "www", Self.pool]) == "/srv/pool/www.save removed")
        #expect(try await fx.driver("cpt76").observe().saves.isEmpty)
        #expect(try await cpt18.observe().saves.isEmpty)
        // As the real driver's unlink: a file already gone is what was asked for.
        #expect(try fx.xl().run(["rm-save", "www"]) == "/var/lib/xenplan/save/www.save removed")
        let usage = await thrown(SimXlError.self) { _ = try fx.xl().run(["save", "www", "relative"]) }
        #expect(usage?.problem == "'relative' is not an absolute directory")
        let arity = await thrown(SimXlError.self) { _ = try fx.xl().run(["restore"]) }
        #expect(arity?.problem == "'restore' takes DOMAIN [DIRECTORY]")
    }
}
