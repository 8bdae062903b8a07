/// An error whose message is already written for the user (names the object and what to do).
struct UserFacingError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
