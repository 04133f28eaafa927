/// The element types Octoplane reads and writes in `.npy` files, with their numpy `descr`.
///
/// In memory (`NpyArray.data`) elements are always little-endian; big-endian files (`>f4`…) are
/// byte-swapped on read. Written files are always little-endian (`<`), or `|` for one-byte types,
/// exactly as numpy writes them on x86/ARM.
public enum NpyDType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case float16 = "f2", float32 = "f4", float64 = "f8"
    case int8 = "i1", int16 = "i2", int32 = "i4", int64 = "i8"
    case uint8 = "u1", uint16 = "u2", uint32 = "u4", uint64 = "u8"
    case bool = "b1"

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .int8, .uint8, .bool: return 1
        case .float16, .int16, .uint16: return 2
        case .float32, .int32, .uint32: return 4
        case .float64, .int64, .uint64: return 8
        }
    }
    public var isFloatingPoint: Bool { self == .float16 || self == .float32 || self == .float64 }
    public var isInteger: Bool { !isFloatingPoint && self != .bool }
    /// numpy's `descr` string as written: `<f4`, `|u1`, `|b1`…
    public var descr: String { (itemSize == 1 ? "|" : "<") + rawValue }
    public var description: String { descr }

    /// Parses a numpy `descr` (`<f4`, `>i8`, `|b1`, `=f8`, `f4`, `?`…). Returns the type and
    /// whether the file's bytes are big-endian; nil for anything unsupported.
    public static func parse(descr: String) -> (dtype: NpyDType, bigEndian: Bool)? {
        if descr == "?" || descr == "|?" { return (.bool, false) }
        var s = Substring(descr)
        var big = false
        if let c = s.first, "<>|=".contains(c) { big = c == ">"; s = s.dropFirst() }
        if s == "?" { return (.bool, false) }
        guard let t = NpyDType(rawValue: String(s)) else { return nil }
        return (t, t.itemSize > 1 && big)
    }
}
