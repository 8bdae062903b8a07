import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An error of the file system or of decoding in a person's words: the system's words for
/// the errno underneath a `FileManager` error ("No such file or directory"), the
/// sentence Foundation gives a decoding error, else the error's own description.
public enum ErrorText {
    public static func of(_ error: any Error) -> String {
        if let error = error as? CocoaError, let posix = error.underlying as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        if error is DecodingError { return "The data couldn’t be read because it isn’t in the correct format." }
        return "\(error)"
    }
}
