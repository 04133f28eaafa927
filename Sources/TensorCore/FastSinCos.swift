import Foundation
import Support

// sin and cos of one argument together, 8 wide (Cephes sinf/cosf, S. L. Moshier: Cody–Waite
// reduction by π/2 in three parts, whose products with the multiple q are exact for |q| < 2¹²;
// degree-7 (sin) and degree-8 (cos) polynomials on [−π/4, π/4]; the quadrant q mod 4 picks and
// signs the two). Absolute error ≤ 2.4e-7 (2 ulp of 1) against the exact values for |x| ≤ 4096;
// lanes beyond that, ±∞ and NaN take libm. The sign of a zero result is not guaranteed (sin(−0) may be +0).
// Random Fourier features spend their time here: scalar libm sinf/cosf were 42% of a triplane fit,
// forward and the backward's recomputation.

@inline(__always)
func simdSinCos(_ x: SIMD8<Float>) -> (sin: SIMD8<Float>, cos: SIMD8<Float>) {
    let q = (x * 0.636_619_772_367_581_343).rounded(.toNearestOrEven)
    var r = x - q * 1.5703125
    r = r - q * 4.837_512_969_970_703_125e-4
    r = r - q * 7.549_789_954_891_882_16e-8
    let z = r * r
    var s = SIMD8<Float>(repeating: -1.951_529_589_1e-4)
    s = s * z + 8.332_160_873_6e-3
    s = s * z - 1.666_665_461_1e-1
    s = s * z * r + r
    var c = SIMD8<Float>(repeating: 2.443_315_711_809_948e-5)
    c = c * z - 1.388_731_625_493_765e-3
    c = c * z + 4.166_664_568_298_827e-2
    c = c * z * z - 0.5 * z + 1
    // x = r + n·π/2 with n = q mod 4 (exact in Float): n = 1 → (c, −s), 2 → (−s, −c), 3 → (−c, s).
    let n = q - 4 * (q * 0.25).rounded(.down)
    let odd = (n .== 1) .| (n .== 3)
    var sv = s, cv = c
    sv.replace(with: c, where: odd)
    cv.replace(with: s, where: odd)
    sv.replace(with: -sv, where: n .>= 2)
    cv.replace(with: -cv, where: (n .== 1) .| (n .== 2))
    // Large, infinite or NaN lanes (NaN fails every comparison, so test "not within").
    let outside = .!(x .>= -4096 .& x .<= 4096)
    if any(outside) {
        for i in 0..<8 where outside[i] { sv[i] = Foundation.sin(x[i]); cv[i] = Foundation.cos(x[i]) }
    }
    return (sv, cv)
}

extension Tensor {
    /// [..., K] → [..., 2K]: sin of every value in the first K columns of the last axis, cos in the
    /// last K (`concat([x.sin(), x.cos()], axis: -1)` in one pass, the random-Fourier-feature
    /// embedding; Tancik et al., NeurIPS 2020). Vectorized (`simdSinCos`: absolute error ≤ 2.4e-7
    /// for |x| ≤ 4096, libm beyond). Backward from the saved output:
    /// dx = g_sin·cos x − g_cos·sin x. A rank-0 tensor is treated as [1]; K = 0 gives [..., 0].
    public func sinCos() -> Tensor {
        let k = rank == 0 ? 1 : shape[rank - 1]
        let rows = k == 0 ? 0 : count / k
        var outShape = rank == 0 ? [1] : shape
        outShape[outShape.count - 1] = 2 * k
        let y = Tensor(uninitializedShape: outShape)
        let px = data, py = y.mutableData
        parallelFor(rows, minChunk: max(1, elementwiseGrain / max(1, 2 * k))) { r in
            for row in r {
                let src = px + row * k, sin = py + row * 2 * k, cos = sin + k
                var j = 0
                while j < k {
                    if j + 8 <= k {
                        let (s, c) = simdSinCos(UnsafeRawPointer(src + j).loadUnaligned(as: SIMD8<Float>.self))
                        UnsafeMutableRawPointer(sin + j).storeBytes(of: s, as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(cos + j).storeBytes(of: c, as: SIMD8<Float>.self)
                    } else {   // the row's tail: the same kernel on a zero-padded vector
                        var v = SIMD8<Float>(repeating: 0)
                        for l in 0..<(k - j) { v[l] = src[j + l] }
                        let (s, c) = simdSinCos(v)
                        for l in 0..<(k - j) { sin[j + l] = s[l]; cos[j + l] = c[l] }
                    }
                    j += 8
                }
            }
        }
        let x = self, yv = y.detached()
        return y.record("sincos", [x]) { g in
            let out = Tensor(uninitializedShape: x.shape)
            let pg = g.data, py = yv.data, po = out.mutableData
            parallelFor(rows, minChunk: max(1, elementwiseGrain / max(1, 2 * k))) { r in
                for row in r {
                    let gs = pg + row * 2 * k, ys = py + row * 2 * k, o = po + row * k
                    for j in 0..<k { o[j] = gs[j] * ys[k + j] - gs[k + j] * ys[j] }
                }
            }
            return [out]
        }
    }
}
