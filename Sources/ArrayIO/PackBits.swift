/// `np.packbits` / `np.unpackbits` on flat boolean arrays, numpy's default big-endian bit order:
/// element 8k + j is bit (7 − j) of byte k; the last byte is zero-padded. ONet stores
/// `occupancies` this way (100,000 booleans → 12,500 bytes).
public enum PackBits {
    /// (⌈n/8⌉,) bytes from n booleans.
    public static func pack(_ bits: [Bool]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (i, b) in bits.enumerated() where b { out[i >> 3] |= 0x80 >> UInt8(i & 7) }
        return out
    }
    /// The first `count` booleans (count ≤ 8 · bytes.count).
    public static func unpack(_ bytes: [UInt8], count: Int) -> [Bool] {
        precondition(count <= bytes.count * 8, "unpack count exceeds the packed bits")
        return (0..<count).map { bytes[$0 >> 3] & (0x80 >> UInt8($0 & 7)) != 0 }
    }
}
