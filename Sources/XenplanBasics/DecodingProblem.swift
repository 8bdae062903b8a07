/// What is wrong with a document that did not decode, for a message: the path of the
/// offending field (`domains.3.vcpusOnline`) and the decoder's reason, with any control
/// character escaped (the document came from outside).
public func decodingProblem(_ error: any Error) -> String {
    let text: String
    switch error {
    case let DecodingError.dataCorrupted(context), let DecodingError.keyNotFound(_, context),
        let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
        let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        var reason = context.debugDescription
        // The underlying parser's reason says where JSON itself is broken ("Unexpected end
        // of file"); the top-level one only that it is not valid JSON.
        if let underlying = context.underlyingError { reason += " (\(underlying))" }
        text = path.isEmpty ? reason : "\(path): \(reason)"
    default:
        text = "\(error)"
    }
    return TerminalText.escaped(text)
}
