import Foundation

/// Deterministic random numbers for every seeded sampler in Octoplane (and the tensor core's
/// initializers): same seed → same stream on every platform, unlike `SystemRandomNumberGenerator`.
///
/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014):
/// 64-bit state, passes BigCrush, and `split(_:)` derives independent streams for parallel workers
/// (stream i of seed s is the same whatever the thread count).
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inlinable public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An independent generator for stream `index` (e.g. one per chunk of a parallel loop).
    public func split(_ index: UInt64) -> SeededRandom {
        var g = SeededRandom(seed: state ^ (index &* 0xD1B5_4A32_D192_ED03))
        _ = g.next()
        return SeededRandom(seed: g.next())
    }

    /// Uniform in [0, 1), 24 random bits.
    @inlinable public mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }
    /// Uniform in [0, 1), 53 random bits.
    @inlinable public mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }
    /// Uniform in [lo, hi).
    @inlinable public mutating func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * nextFloat() }
    /// Standard normal N(0, 1) by the Box–Muller transform (one value per call; simple and exact).
    @inlinable public mutating func normal() -> Float {
        var u1 = nextDouble()
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = nextDouble()
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }
}

