import HostModel

/// One save file of a domain, and every observed host that sees it: a `dir` pool shared
/// by several hosts shows the same file on each, and it must count once.
struct SaveCopy {
    var save: SaveState
    /// Hosts that showed the file, in name order; the first one acts on it.
    var seenFrom: [String]

    var host: String { seenFrom[0] }
}
