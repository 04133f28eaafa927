/// FNV-1a (64-bit) over little-endian UInt64 words (Fowler, Noll & Vo), as 16 hex digits: the
/// data fingerprint a training checkpoint records so that a resumed run can refuse other data. Not
/// cryptographic. The empty input hashes to the offset basis cbf29ce484222325.
public struct FNV1a: Sendable, Equatable {
    public private(set) var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    public init() {}
    /// Mixes the 8 bytes of `x`, least significant first.
    public mutating func mix(_ x: UInt64) { for k in 0..<8 { hash = (hash ^ ((x >> (8 * k)) & 0xFF)) &* 0x0000_0100_0000_01B3 } }
    public var hex: String { let s = String(hash, radix: 16); return String(repeating: "0", count: max(0, 16 - s.count)) + s }
}
