import Testing
import XenplanBasics

/// Sizes also come from hosts and state files: arithmetic on them saturates at Int64's
/// limits instead of trapping, and is exact within the range the checks let through.
struct ByteSizeArithmeticTests {
    static let max = ByteSize(kib: .max), min = ByteSize(kib: .min)

    @Test(arguments: [
        ("max + 1", max + ByteSize(kib: 1), Int64.max),
        ("max + max", max + max, Int64.max),
        ("min + -1", min + ByteSize(kib: -1), Int64.min),
        ("min - 1", min - ByteSize(kib: 1), Int64.min),
        ("max - min", max - min, Int64.max),
        ("0 - min", ByteSize.zero - min, Int64.max),
        ("max * 4", max * 4, Int64.max),
        ("min * 4", min * 4, Int64.min),
        ("max * -2", max * -2, Int64.min),
        ("mib(Int64.max)", ByteSize.mib(.max), Int64.max),
        ("gib(Int64.min)", ByteSize.gib(.min), Int64.min),
        ("1 PiB + 1 PiB", ByteSize.maximum + ByteSize.maximum, Int64(2) << 40),
        ("2 GiB - 512 MiB", ByteSize.gib(2) - ByteSize.mib(512), 1_572_864),
        ("3 MiB * 3", ByteSize.mib(3) * 3, 9_216),
    ])
    func saturates(_ name: String, _ result: ByteSize, _ expected: Int64) {
        #expect(result.kib == expected, "\(name)")
    }

    @Test func compoundAssignmentSaturates() {
        var size = Self.max
        size += ByteSize(kib: 10)
        #expect(size.kib == .max)
        size = Self.min
        size -= ByteSize(kib: 10)
        #expect(size.kib == .min)
    }

    @Test(arguments: [
        (Int64.max, "8388608.0 PiB"),
        (Int64.min, "-8388608 PiB"),
        (Int64.max - 1, "8388608.0 PiB"),
        (1 << 40, "1 PiB"),
        (3 << 39, "1.5 PiB"),
        (-1_572_864, "-1.5 GiB"),
        (1_572_864, "1.5 GiB"),
        (1_048_575, "1024.0 MiB"),
        (1_047_552, "1023 MiB"),
        (1_000, "1000 KiB"),
        (0, "0 MiB"),
    ])
    func describesEveryValue(_ kib: Int64, _ text: String) {
        #expect(ByteSize(kib: kib).description == text)
    }

    @Test func rangeOfSizesFromOutside() {
        #expect(ByteSize.maximum.isWithinMaximum)
        #expect(ByteSize.zero.isWithinMaximum)
        #expect(!ByteSize(kib: ByteSize.maximum.kib + 1).isWithinMaximum)
        #expect(!ByteSize(kib: -1).isWithinMaximum)
    }
}
