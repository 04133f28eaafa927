import Support

/// Errors at the Rendering module's boundaries (PNG files, options from the command line).
public enum RenderingError: Error, CustomStringConvertible, Equatable {
    /// libpng could not encode the image; `reason` is libpng's own message.
    case encodeFailed(reason: String)
    /// The bytes are not a PNG libpng can read; `reason` is libpng's message.
    case decodeFailed(path: String?, reason: String)
    /// The file could not be read (missing, a folder, unreadable).
    case unreadable(path: String, reason: String)
    /// Writing the output failed (missing folder, permissions, full disk); nothing was left behind.
    case writeFailed(path: String, reason: String)
    /// An option is out of range (size, view count, supersampling factor…).
    case invalidOption(String)

    public var description: String {
        switch self {
        case let .encodeFailed(r): return "PNG encoding failed: \(r)"
        case let .decodeFailed(p, r): return "\(p.map { "'\($0)': " } ?? "")not a readable PNG: \(r)"
        case let .unreadable(p, r): return "cannot read '\(p)': \(r)"
        case let .writeFailed(p, r): return "cannot write '\(p)': \(r)"
        case let .invalidOption(m): return "invalid render option: \(m)"
        }
    }
}
