import Testing
import XenplanBasics

@Suite struct DurationShownTests {
    @Test(arguments: [
        (Duration.microseconds(0), "0.0 ms"), (.microseconds(450), "0.4 ms"), (.microseconds(12_345), "12.3 ms"),
        (.microseconds(999_999), "999.9 ms"), (.seconds(1), "1.000 s"), (.milliseconds(2310), "2.310 s"),
        (.milliseconds(61_005), "61.005 s"),
    ])
    func elapsed(_ duration: Duration, _ shown: String) {
        #expect(duration.shownElapsed == shown)
    }

    @Test(arguments: [(Duration.seconds(60), "60 s"), (.milliseconds(500), "0.5 s"), (.milliseconds(1250), "1.25 s")])
    func deadline(_ duration: Duration, _ shown: String) {
        #expect(duration.shownSeconds == shown)
    }
}
