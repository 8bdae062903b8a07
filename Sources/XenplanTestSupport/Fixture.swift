/// Concise constructors for tests, so that a planner case reads like a table row.
/// Sizes given as `Int` are MiB.
public enum Fixture {}
