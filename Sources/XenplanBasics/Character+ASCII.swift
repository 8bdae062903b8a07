extension Character {
    /// `0` to `9` only: `isNumber` and `isWholeNumber` also take the digits of other
    /// scripts, which no size or address may be written with.
    public var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
