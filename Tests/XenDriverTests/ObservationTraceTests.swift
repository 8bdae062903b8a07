import Foundation
import Testing

@testable import XenDriver

@Suite struct ObservationTraceTests {
    @Test func tracesOnlyWhenAskedAndNamesEachPartInOrder() throws {
        var on = ObservationTrace(environment: ["XENPLAN_TRACE_OBSERVE": "1"])
        on.mark("bridges")
        on.mark("xenstore")
        let line = try #require(on.line(host: "a"))
        #expect(line.range(of: #"^observe a: bridges \d+ ms, xenstore \d+ ms$"#, options: .regularExpression) != nil, "\(line)")

        for environment in [[:], ["XENPLAN_TRACE_OBSERVE": "0"], ["XENPLAN_TRACE_OBSERVE": ""]] {
            var off = ObservationTrace(environment: environment)
            off.mark("bridges")
            #expect(off.line(host: "a") == nil)
        }
    }
}
