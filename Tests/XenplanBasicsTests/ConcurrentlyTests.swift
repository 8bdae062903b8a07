import Testing
import XenplanBasics

/// `concurrently` gives back what each closure returned, in its place, whatever their
/// types (whether the two ran side by side depends on the cores there are).
@Suite struct ConcurrentlyTests {
    @Test func eachResultComesBackInItsPlace() {
        let (sum, text) = concurrently({ (1...1000).reduce(0, +) }, { String(repeating: "ab", count: 3) })
        #expect(sum == 500_500)
        #expect(text == "ababab")
        let (none, list) = concurrently({ Int?.none }, { [3, 1, 2].sorted() })
        #expect(none == nil)
        #expect(list == [1, 2, 3])
    }
}
