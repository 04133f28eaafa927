import Foundation

/// Stable model ids for synthesized shapes: 32 lower-case hex digits (128 bits), the shape of
/// ShapeNet's ids, derived from (category, seed, index) only — so re-running `synth` with the same
/// options names every model the same way, and different seeds never collide in practice.
///
/// Not cryptographic: two FNV-1a-64 passes over the UTF-8 key `"<category>/<seed>/<index>"` with
/// different offset bases, each finished by the SplitMix64 avalanche (Steele, Lea & Flood, OOPSLA
/// 2014) so that neighbouring indices give unrelated ids.
public enum ModelID {
    public static func make(category: SynthCategory, seed: UInt64, index: Int) -> String {
        let (a, b) = hash128("\(category.rawValue)/\(seed)/\(index)")
        return hex(a) + hex(b)
    }

    /// The 64-bit generator seed of one shape (independent of the id's digits).
    public static func shapeSeed(category: SynthCategory, seed: UInt64, index: Int) -> UInt64 {
        let (a, b) = hash128("shape:\(category.rawValue)/\(seed)/\(index)")
        return a ^ (b &* 0x9E37_79B9_7F4A_7C15)
    }

    static func hash128(_ key: String) -> (UInt64, UInt64) {
        var h1: UInt64 = 0xCBF2_9CE4_8422_2325
        var h2: UInt64 = 0x6C62_272E_07BB_0142
        for byte in key.utf8 {
            h1 = (h1 ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            h2 = (h2 ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return (mix(h1), mix(h2 ^ 0xA076_1D64_78BD_642F))
    }

    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func hex(_ x: UInt64) -> String {
        let s = String(x, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// True for 32 lower-case hex digits.
    public static func isValid(_ s: String) -> Bool {
        s.utf8.count == 32 && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
