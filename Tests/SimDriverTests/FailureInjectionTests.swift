import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

@Suite struct FailureInjectionTests {
    @Test func failsNTimesThenSucceeds() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await driver.perform(.writeConfig(SimFixture.config("www")))
        try driver.fail("create", times: 2)
        let before = try driver.file()
        for remaining in [1, 0] {
            let error = await thrown { try await driver.perform(.create(domain: "www")) }
            #expect(
                error
                    == HostError(
                        host: "cpt18", operation: "create", domain: "www",
                        message: "simulated failure of create"))
            var expected = before
            expected.failures = remaining > 0 ? ["create": .init(remaining: remaining)] : [:]
            #expect(try driver.file() == expected)
        }
        try await driver.perform(.create(domain: "www"))
        #expect(try await driver.observe().domain(named: "www") != nil)
    }

    @Test func customMessageAndOtherKindsUnaffected() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try driver.fail("create-volume", message: "  Volume group \"vg18\" is exported")
        try await driver.perform(.createBridge(name: "xenbr1", interface: nil))
        let error = await thrown {
            try await driver.perform(.createVolume(container: "vg18", name: "a", size: .gib(1)))
        }
        #expect(error == HostError(host: "cpt18", operation: "create-volume", message: "  Volume group \"vg18\" is exported"))
        try await driver.perform(.createVolume(container: "vg18", name: "a", size: .gib(1)))
        #expect(try await driver.observe().volume(container: "vg18", name: "a")?.size == .gib(1))
    }

    @Test func unknownKindIsRefused() throws {
        let fx = SimFixture()
        #expect(throws: SimError("unknown operation 'explode'; one of: \(HostOperation.allKinds.joined(separator: ", "))")) {
            try fx.driver().fail("explode")
        }
        #expect(throws: SimError("--times must be at least 1, not 0")) { try fx.driver().fail("create", times: 0) }
    }

    @Test func speedComesFromTheEnvironment() {
        #expect(SimDriver.speedFromEnvironment([:]) == 1)
        #expect(SimDriver.speedFromEnvironment(["XENPLAN_SIM_SPEED": "0"]) == 0)
        #expect(SimDriver.speedFromEnvironment(["XENPLAN_SIM_SPEED": "0.25"]) == 0.25)
        #expect(SimDriver.speedFromEnvironment(["XENPLAN_SIM_SPEED": "fast"]) == 1)
        #expect(SimDriver.speedFromEnvironment(["XENPLAN_SIM_SPEED": "-2"]) == 1)
    }

    @Test func shutdownWaitsForTheGuestOrDestroysIt() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await fx.start(driver, SimFixture.config("www"))
        try await fx.start(driver, SimFixture.config("hung"))
        _ = try fx.xl().run(["ignore-shutdown", "hung"])
        _ = try fx.xl().run(["set-latency", "shutdown", "30"])
        try await driver.perform(.shutdown(domain: "www", timeoutSeconds: 300))
        try await driver.perform(.shutdown(domain: "hung", timeoutSeconds: 300))
        let state = try await driver.observe()
        #expect(state.guests.isEmpty)
        #expect(state.freeMemory == SimFixture.emptyFree)
        let error = await thrown { try await driver.perform(.shutdown(domain: "www", timeoutSeconds: 1)) }
        #expect(error?.message == "www is an invalid domain identifier (rc=-6)")
    }

    @Test func latencyIsScaledBySpeed() async throws {
        let fx = SimFixture()
        let driver = SimDriver(
            stateDirectory: fx.directory, host: "cpt18", machine: SimFixture.machine,
            clock: fx.clock, speed: 0.001)
        try fx.prepare(driver)
        _ = try fx.xl().run(["set-latency", "create-bridge", "20"])
        let start = ContinuousClock.now
        try await driver.perform(.createBridge(name: "xenbr1", interface: nil))
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(20))
    }
}
