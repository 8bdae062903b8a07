/// The hosts loaded under one set of locks.
public struct SimSession {
    let store: SimStore
    let locked: Set<String>
    var files: [String: SimHostFile] = [:]
    var changed: Set<String> = []

    init(store: SimStore, locked: Set<String>) {
        self.store = store
        self.locked = locked
    }

    /// A host's file: its working copy, else its seed, else the store's blank host. Only
    /// `update` makes the session write it.
    public mutating func file(_ host: String) throws -> SimHostFile {
        precondition(locked.contains(host), "host \(host) read without its lock")
        if let file = files[host] { return file }
        let file = try store.read(host)
        files[host] = file
        return file
    }

    public mutating func update(_ host: String, _ file: SimHostFile) {
        precondition(locked.contains(host), "host \(host) written without its lock")
        files[host] = file
        changed.insert(host)
    }
}
