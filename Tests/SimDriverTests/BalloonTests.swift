import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

/// Ballooning down is not instant: 256 MiB per second of the clock by default, and
/// never for a guest without a balloon driver.
@Suite struct BalloonTests {
    @Test func actualFollowsTheTargetDown() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await fx.start(driver, SimFixture.config("www", memory: .gib(1), maxmem: .gib(1)))
        try await driver.perform(.setMemory(domain: "www", target: .mib(256)))

        func sample() async throws -> (target: ByteSize, actual: ByteSize, free: ByteSize) {
            let state = try await driver.observe()
            let www = try #require(state.domain(named: "www"))
            return (www.memoryTarget, www.memoryActual, state.freeMemory)
        }
        // overhead of a 1 GiB static-max: 3 MiB
        var s = try await sample()
        #expect(s.target == .mib(256))
        #expect(s.actual == .mib(1024))
        #expect(s.free == .mib(30208 - 1027))
        fx.clock.advance(by: 1)
        s = try await sample()
        #expect(s.actual == .mib(768))
        #expect(s.free == .mib(30208 - 771))
        fx.clock.advance(by: 0.5)
        s = try await sample()
        #expect(s.actual == .mib(640))
        fx.clock.advance(by: 10)
        s = try await sample()
        #expect(s.actual == .mib(256))
        #expect(s.free == .mib(30208 - 259))
    }

    @Test func noBalloonDriverNeverGivesBack() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await fx.start(driver, SimFixture.config("www", memory: .gib(1), maxmem: .gib(1)))
        _ = try fx.xl().run(["no-balloon", "www"])
        try await driver.perform(.setMemory(domain: "www", target: .mib(256)))
        fx.clock.advance(by: 3600)
        let www = try #require(try await driver.observe().domain(named: "www"))
        #expect(www.memoryTarget == .mib(256))
        #expect(www.memoryActual == .gib(1))
    }

    @Test func retargetingMidwayKeepsWhatWasReleased() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await fx.start(driver, SimFixture.config("www", memory: .gib(1), maxmem: .gib(1)))
        try await driver.perform(.setMemory(domain: "www", target: .mib(256)))
        fx.clock.advance(by: 1)
        // 768 MiB held now; a new, higher target below that keeps ballooning from 768.
        try await driver.perform(.setMemory(domain: "www", target: .mib(512)))
        var www = try #require(try await driver.observe().domain(named: "www"))
        #expect(www.memoryActual == .mib(768))
        fx.clock.advance(by: 0.5)
        www = try #require(try await driver.observe().domain(named: "www"))
        #expect(www.memoryActual == .mib(640))
        // Back up above the actual: at once.
        try await driver.perform(.setMemory(domain: "www", target: .mib(900)))
        www = try #require(try await driver.observe().domain(named: "www"))
        #expect(www.memoryActual == .mib(900))
    }

    @Test func ballooningStateSurvivesInTheFile() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await fx.start(driver, SimFixture.config("www", memory: .gib(1), maxmem: .gib(1)))
        try await driver.perform(.setMemory(domain: "www", target: .mib(256)))
        fx.clock.advance(by: 2)
        // Another process (a new driver on the same directory) sees the same progress.
        let other = SimDriver(stateDirectory: fx.directory, host: "cpt18", clock: fx.clock, speed: 0)
        #expect(try await other.observe().domain(named: "www")?.memoryActual == .mib(512))
    }
}
