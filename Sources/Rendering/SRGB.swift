import Foundation

/// The sRGB transfer function (IEC 61966-2-1): colours are stored encoded, lit and averaged in
/// linear light.
public enum SRGB {
    /// Encoded [0, 1] → linear [0, 1], per component.
    @inlinable public static func decode(_ c: SIMD3<Float>) -> SIMD3<Float> {
        SIMD3(decode(c.x), decode(c.y), decode(c.z))
    }
    @inlinable public static func decode(_ c: Float) -> Float {
        c <= 0.04045 ? c / 12.92 : Foundation.pow((c + 0.055) / 1.055, 2.4)
    }
    /// Linear [0, 1] → encoded [0, 1], per component.
    @inlinable public static func encode(_ c: Float) -> Float {
        c <= 0.0031308 ? c * 12.92 : 1.055 * Foundation.pow(c, 1 / 2.4) - 0.055
    }

    /// Linear value at which the 8-bit code k+1 starts to be the nearest: `thresholds[k]` is the
    /// linear image of the encoded midpoint (k + ½)/255, for k in 0..<255 (strictly increasing).
    @usableFromInline static let thresholds: [Float] = (0..<255).map { k in decode((Float(k) + 0.5) / 255) }

    /// Linear [0, 1] (clamped) → the nearest 8-bit encoded code, exactly as rounding the encoded
    /// value would give, by a branch-free binary search over `thresholds` (8 steps, no `pow`).
    @inlinable public static func encode8(_ v: Float) -> UInt8 {
        thresholds.withUnsafeBufferPointer { t in
            var lo = 0                       // answer = number of thresholds ≤ v, in 0...255
            var step = 128
            while step > 0 {
                let probe = lo + step - 1    // compare against thresholds[lo + step − 1]
                if probe < 255 && t[probe] <= v { lo += step }
                step >>= 1
            }
            return UInt8(lo)
        }
    }
    @inlinable public static func encode8(_ c: SIMD3<Float>) -> RGB8 { RGB8(encode8(c.x), encode8(c.y), encode8(c.z)) }
}
