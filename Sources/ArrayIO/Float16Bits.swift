/// IEEE 754 binary16 ⇄ binary32 by bit manipulation, portable to CPUs without F16C (and to
/// targets where Swift's `Float16` is unavailable). Round-to-nearest-even, subnormals, ±Inf and
/// NaN (payload top bits kept, always quiet) handled exactly like numpy's `astype`.
public enum HalfFloat {
    /// The binary32 value of the binary16 bit pattern `h` (exact: every half is a float).
    @inlinable public static func float(fromBits h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = UInt32(h >> 10) & 0x1F
        let man = UInt32(h & 0x3FF)
        if exp == 0 {
            if man == 0 { return Float(bitPattern: sign) }
            // Subnormal half: man · 2^-24, exact in binary32.
            let v = Float(man) * (1.0 / 16_777_216.0)
            return sign != 0 ? -v : v
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (man << 13) | (man != 0 ? 0x0040_0000 : 0)) }
        return Float(bitPattern: sign | ((exp + 112) << 23) | (man << 13))
    }

    /// The binary16 bit pattern nearest to `f` (ties to even); overflow → ±Inf, NaN → quiet NaN.
    @inlinable public static func bits(from f: Float) -> UInt16 {
        let x = f.bitPattern
        let sign = UInt16((x >> 16) & 0x8000)
        let absx = x & 0x7FFF_FFFF
        if absx >= 0x7F80_0000 { // Inf or NaN
            if absx == 0x7F80_0000 { return sign | 0x7C00 }
            return sign | 0x7E00 | UInt16((absx >> 13) & 0x3FF)
        }
        if absx >= 0x4780_0000 { return sign | 0x7C00 } // ≥ 65536 → Inf (65520 rounds up too, below)
        if absx < 0x3880_0000 { // |f| < 2^-14: subnormal half or zero
            if absx < 0x3300_0000 { return sign } // < 2^-25: rounds to 0 (2^-25 exactly ties to 0)
            let e = Int(absx >> 23)               // biased float exponent, 102…112
            let m = (absx & 0x7F_FFFF) | 0x80_0000 // 24-bit significand
            let shift = UInt32(126 - e)           // value = m · 2^(e-150); half ulp 2^-24 → shift = 126 - e
            let q = m >> shift
            let rem = m & ((1 << shift) - 1)
            let halfway = UInt32(1) << (shift - 1)
            var r = q
            if rem > halfway || (rem == halfway && (q & 1) == 1) { r += 1 }
            return sign | UInt16(r)
        }
        // Normal half: rebias exponent, round the 13 dropped bits to nearest even.
        var h = ((absx >> 13) &- (112 << 10))
        let rem = absx & 0x1FFF
        if rem > 0x1000 || (rem == 0x1000 && (h & 1) == 1) { h += 1 } // may carry into the exponent: correct
        if h >= 0x7C00 { return sign | 0x7C00 }
        return sign | UInt16(h)
    }
}
