/// Everything that can go wrong reading or writing `.npy` / `.npz` files.
///
/// Each case names what was expected and what was found, so a CLI can print it as-is
/// (`description`) next to the file's path.
public enum ArrayIOError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read (missing, permissions); `reason` is the system's message.
    case unreadable(path: String, reason: String)
    /// The bytes do not start with the `\x93NUMPY` magic string.
    case notNpy
    /// A format version other than 1.0, 2.0 or 3.0.
    case unsupportedVersion(major: UInt8, minor: UInt8)
    /// The header dictionary could not be parsed; `reason` says where.
    case corruptHeader(String)
    /// A `descr` Octoplane does not read (structured dtypes, complex, strings, objects…).
    case unsupportedDType(String)
    /// The payload holds fewer bytes than `shape` × itemsize.
    case truncated(expectedBytes: Int, actualBytes: Int)
    /// A typed accessor was asked for a dtype the array does not have.
    case dtypeMismatch(requested: String, actual: String)
    /// The array's shape differs from the one the caller requires (`nil` entries are wildcards).
    case shapeMismatch(expected: [Int?], actual: [Int])
    /// The element count does not match `shape` when building an array.
    case countMismatch(shape: [Int], count: Int)
    /// The `.npz` container is not a readable zip archive; `reason` says what is wrong.
    case corruptArchive(String)
    /// A zip member uses a compression method other than STORED (0) or DEFLATE (8).
    case unsupportedCompression(member: String, method: UInt16)
    /// A zip member's CRC-32 does not match its bytes.
    case checksumMismatch(member: String)
    /// A requested `.npz` member does not exist.
    case missingMember(String)
    /// A member larger than the non-zip64 limits (4 GiB) was given to the writer.
    case tooLarge(member: String, bytes: Int)

    public var description: String {
        switch self {
        case let .unreadable(p, r): return "cannot read '\(p)': \(r)"
        case .notNpy: return "not a .npy file (missing the \\x93NUMPY magic string)"
        case let .unsupportedVersion(a, b): return ".npy format version \(a).\(b) is not supported (1.0, 2.0, 3.0 are)"
        case let .corruptHeader(r): return "corrupt .npy header: \(r)"
        case let .unsupportedDType(d): return "unsupported .npy dtype '\(d)' (supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1)"
        case let .truncated(e, a): return "truncated data: expected \(e) bytes, found \(a)"
        case let .dtypeMismatch(r, a): return "array has dtype \(a), but \(r) was requested"
        case let .shapeMismatch(e, a):
            let es = e.map { $0.map(String.init) ?? "*" }.joined(separator: ", ")
            return "array has shape (\(a.map(String.init).joined(separator: ", "))), expected (\(es))"
        case let .countMismatch(s, c): return "\(c) elements do not fill shape \(s)"
        case let .corruptArchive(r): return "corrupt .npz archive: \(r)"
        case let .unsupportedCompression(m, c): return ".npz member '\(m)' uses zip compression method \(c) (only STORED and DEFLATE are read)"
        case let .checksumMismatch(m): return ".npz member '\(m)' fails its CRC-32 check"
        case let .missingMember(m): return ".npz has no array named '\(m)'"
        case let .tooLarge(m, b): return ".npz member '\(m)' has \(b) bytes, over the 4 GiB non-zip64 limit of the writer"
        }
    }
}
