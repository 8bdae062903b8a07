import XenplanBasics

/// Manifest text as messages show it (see `shownValue`).
func shown(_ text: String, limit: Int = 48) -> String { shownValue(text, limit: limit) }
