import HostModel
import Manifest
import XenplanBasics

extension Planner {
    /// What a guest costs its host now. While a balloon moves, the larger of target and
    /// actual is counted: memory going down is not back yet, memory going up is promised.
    /// A domain that is not up (shut down, crashed, dying) still holds its pages.
    static func footprint(of d: DomainState) -> ByteSize {
        let pages = d.state.isUp ? max(d.memoryActual, d.memoryTarget) : d.memoryActual
        return XenMemory.footprint(actual: pages, staticMax: d.memoryStaticMax, type: d.type, maxVcpus: d.maxVcpus)
    }

    /// What a declared domain will cost once running as declared.
    static func footprint(of d: DomainSpec) -> ByteSize {
        XenMemory.footprint(actual: d.memory, staticMax: d.maxmem, type: d.type.rawValue, maxVcpus: d.maxvcpus)
    }
}
