import XenplanBasics

/// Where each key of an object was written, so that later checks (planner, capacity)
/// can point at the manifest line that caused a problem.
public struct KeyLocations: Hashable, Sendable {
    /// The object itself (its name key).
    public var object: SourceLocation?
    public var keys: [String: SourceLocation]

    public init(object: SourceLocation? = nil, keys: [String: SourceLocation] = [:]) {
        self.object = object
        self.keys = keys
    }

    /// The key's value if written, else the object.
    public subscript(_ key: String) -> SourceLocation? { keys[key] ?? object }
}
