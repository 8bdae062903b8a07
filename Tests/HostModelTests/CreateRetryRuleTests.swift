import HostModel
import Testing

@Suite struct CreateRetryRuleTests {
    static let timeout = HostError(
        host: "a", operation: "create", domain: "g1",
        message: "libxl: error: libxl_aoutils.c:539:async_exec_timeout: killing execution of /etc/xen/scripts/vif-bridge online because of timeout")

    /// Runs the rule over a scripted sequence of failures (nil: success).
    static func run(_ outcomes: [HostError?], gone: Bool = true) async -> (tries: Int, heard: [Int], error: HostError?) {
        var tries = 0
        var heard: [Int] = []
        var paused: [Duration] = []
        defer { #expect(paused == heard.map { CreateRetry.pause(before: $0) }) }
        do {
            try await CreateRetry.run(
                isGone: { gone }, retrying: { attempt in heard.append(attempt) }, wait: { paused.append($0) },
                create: {
                    defer { tries += 1 }
                    if let failure = outcomes[tries] { throw failure }
                })
            return (tries, heard, nil)
        } catch {
            return (tries, heard, error as? HostError)
        }
    }

    @Test func timeoutsAreTriedUpToThreeTimes() async {
        let twice = await Self.run([Self.timeout, Self.timeout, nil])
        #expect(twice.tries == 3 && twice.heard == [2, 3] && twice.error == nil)
        let always = await Self.run([Self.timeout, Self.timeout, Self.timeout, nil])
        #expect(always.tries == 3 && always.heard == [2, 3])
        #expect(always.error?.message == Self.timeout.message + "\n(tried 3 times: each time a hotplug script ran out of libxl's time)")
    }

    @Test func notGoneOrAnotherFailureIsFinal() async {
        let leftBehind = await Self.run([Self.timeout, nil], gone: false)
        #expect(leftBehind.tries == 1 && leftBehind.heard.isEmpty && leftBehind.error == Self.timeout)
        let other = HostError(host: "a", operation: "create", domain: "g1", message: "domain creation fail: Cannot allocate memory")
        let final = await Self.run([other, nil])
        #expect(final.tries == 1 && final.error == other)
    }

    /// Longer before each new try: 15 s, then 30 s.
    @Test func pausesGrow() {
        #expect(CreateRetry.pause(before: 2) == .seconds(15))
        #expect(CreateRetry.pause(before: 3) == .seconds(30))
    }

    @Test func onlyLibxlsTimeoutCounts() {
        #expect(CreateRetry.isHotplugTimeout(Self.timeout.message))
        #expect(!CreateRetry.isHotplugTimeout("because of timeout"))
        #expect(!CreateRetry.isHotplugTimeout("libxl: error: killing execution of /etc/xen/scripts/block add: exit status 1"))
    }
}
