import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

/// The simulated host tries a create again as the Xen driver does, when the failure
/// injected into it is libxl's hotplug timeout.
@Suite struct SimCreateRetryTests {
    static let hotplugTimeout =
        "libxl: error: libxl_aoutils.c:539:async_exec_timeout: killing execution of /etc/xen/scripts/block add because of timeout"

    /// cpt18 with www configured and not running; the fixture owns the state directory,
    /// so it lives as long as the test holds it.
    static func hostWithWww() async throws -> (SimFixture, SimDriver) {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await driver.perform(.writeConfig(SimFixture.config("www")))
        return (fx, driver)
    }

    @Test func twoTimeoutsThenTheGuestRuns() async throws {
        let (fx, driver) = try await Self.hostWithWww()
        defer { withExtendedLifetime(fx) {} }
        try driver.fail("create", times: 2, message: Self.hotplugTimeout)
        try await driver.perform(.create(domain: "www"))
        #expect(try await driver.observe().domain(named: "www") != nil)
        #expect(try driver.file().failures.isEmpty)
    }

    @Test func threeTimeoutsFailSayingSo() async throws {
        let (fx, driver) = try await Self.hostWithWww()
        defer { withExtendedLifetime(fx) {} }
        try driver.fail("create", times: 4, message: Self.hotplugTimeout)
        await #expect(
            throws: HostError(
                host: "cpt18", operation: "create", domain: "www",
                message: Self.hotplugTimeout + "\n(tried 3 times: each time a hotplug script ran out of libxl's time)")
        ) { try await driver.perform(.create(domain: "www")) }
        #expect(try driver.file().failures["create"]?.remaining == 1)
        #expect(try await driver.observe().domain(named: "www") == nil)
    }
}
