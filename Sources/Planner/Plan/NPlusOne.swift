import XenplanBasics

/// What happens if one host fails: the running domains that could not be restarted on
/// the other hosts, each with why, and how much memory is missing for those that only
/// lack room.
public struct NPlusOne: Codable, Hashable, Sendable {
    /// A guest that could not restart elsewhere, and the condition that fails.
    public struct Stranded: Codable, Hashable, Sendable {
        public var domain: String
        /// `disk xvda is on pool cpt18-local, which is not shared`, `no room: …`.
        public var reason: String
        public init(domain: String, reason: String) {
            self.domain = domain
            self.reason = reason
        }
    }

    public var failedHost: String
    /// Names of the stranded guests, in name order.
    public var stranded: [String]
    public var reasons: [Stranded]
    /// Memory missing for the guests that only lack room.
    public var shortfall: ByteSize

    public init(failedHost: String, reasons: [Stranded], shortfall: ByteSize) {
        self.failedHost = failedHost
        self.reasons = reasons.sorted { $0.domain < $1.domain }
        self.stranded = self.reasons.map(\.domain)
        self.shortfall = shortfall
    }
}
