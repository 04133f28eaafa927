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

    /// `bucketCode[i]` = number of thresholds ≤ i/4096. Consecutive thresholds are at least
    /// 1/(255·12.92) ≈ 3.0e-4 > 1/4096 apart, so a bucket [i/4096, (i+1)/4096) holds at most one.
    @usableFromInline static let bucketCode: [UInt8] = (0...4096).map { i in
        UInt8(thresholds.filter { $0 <= Float(i) / 4096 }.count)
    }

    /// Linear [0, 1] (clamped) → the nearest 8-bit encoded code, exactly as rounding the encoded
    /// value would give: a 4097-entry table gives the code at the bucket's start, one comparison
    /// with the next threshold settles the bucket (no `pow`).
    @inlinable public static func encode8(_ v: Float) -> UInt8 {
        let c = min(max(v, 0), 1)
        let code = bucketCode.withUnsafeBufferPointer { $0[Int(c * 4096)] }
        guard code < 255 else { return 255 }
        return thresholds.withUnsafeBufferPointer { c >= $0[Int(code)] ? code + 1 : code }
    }
    @inlinable public static func encode8(_ c: SIMD3<Float>) -> RGB8 { RGB8(encode8(c.x), encode8(c.y), encode8(c.z)) }
}
