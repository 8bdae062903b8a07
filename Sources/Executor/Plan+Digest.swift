import FoundationEssentials
import Planner
import XenplanBasics

extension Plan {
    /// A digest of the plan's content (the stable hash of its canonical JSON): what the
    /// journal records so that one saved plan is applied at most once.
    public var digest: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data()
        return StableIdentity.hex(StableIdentity.hash(bytes: data))
    }
}
