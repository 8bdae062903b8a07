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

    /// A host's file; one opened from its seed or as an empty machine is written as the
    /// working copy when the session ends.
    public mutating func file(_ host: String, machine: SimMachine? = nil) throws -> SimHostFile {
        precondition(locked.contains(host), "host \(host) read without its lock")
        if let file = files[host] { return file }
        let (file, fresh) = try store.read(host, machine: machine)
        files[host] = file
        if fresh { changed.insert(host) }
        return file
    }

    public mutating func update(_ host: String, _ file: SimHostFile) {
        precondition(locked.contains(host), "host \(host) written without its lock")
        files[host] = file
        changed.insert(host)
    }
}
