extension String {
    /// Padded with spaces to `length`, or cut to it, counting UTF-16 units: what
    /// `padding(toLength:withPad:startingAt:)` gives, for the columns of tables.
    func padded(to length: Int) -> String {
        let units = utf16.count
        if units >= length { return String(decoding: Array(utf16.prefix(length)), as: UTF16.self) }
        return self + String(repeating: " ", count: length - units)
    }
}
