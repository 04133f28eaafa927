import Foundation
import Support

// GroupNorm → per-sample modulation → SiLU as one kernel: the pre-activation of every ADM residual
// block, SiLU(GN(x)) and SiLU(GN(h)·(1 + scale) + shift) with the timestep's scale and shift
// (Dhariwal & Nichol 2021). Same statistics as `groupNorm` (biased variance, eps inside the square
// root; sums in Float lanes over blocks of 1024 values, blocks in Double).
// Unfused, the U-Net ran six passes over each activation forward and about twelve backward for
// this (normalize, affine, multiply, add, SiLU and the broadcast reductions of their gradients).

/// Values summed per Float lane before the lane sums are added in Double.
private let laneBlock = 1024

/// (Σ (p[i] − shift), Σ (p[i] − shift)²): Float lanes within blocks, Double across. Shifting by a
/// value of the data (its first) keeps the one-pass variance E[d²] − E[d]² free of cancellation
/// when the mean is large against the spread.
@inline(__always)
private func shiftedSums(_ p: UnsafePointer<Float>, _ count: Int, shift: Float) -> (Double, Double) {
    var s1 = 0.0, s2 = 0.0, i = 0
    let sv = SIMD8<Float>(repeating: shift)
    while i + 8 <= count {
        let end = min(count, i + laneBlock)
        var a1 = SIMD8<Float>(), a2 = SIMD8<Float>()
        while i + 8 <= end {
            let d = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self) - sv
            a1 += d; a2 += d * d
            i += 8
        }
        s1 += Double(a1.sum()); s2 += Double(a2.sum())
    }
    while i < count { let d = Double(p[i] - shift); s1 += d; s2 += d * d; i += 1 }
    return (s1, s2)
}

/// y = SiLU(GN(x)·(1 + scale) + shift), the fusion of `groupNorm`, the modulation and `silu`.
///
/// `x` [N, C, *spatial], `groups` dividing C; `gamma`, `beta` [C] (nil: 1 and 0); `scale`, `shift`
/// [N, C] per sample and channel (nil: 0). Result has x's shape. With a = γ·(1 + s) and
/// b = β·(1 + s) + t per sample and channel, y = SiLU(x̂·a + b) with x̂ the normalized input.
///
/// Forward per group (one task per sample and group): one pass for mean and variance, one writing
/// y; only the mean and 1/σ of each group are kept (x̂ is recomputed from x, which the graph
/// holds anyway). Backward per group, with u = x̂·a + b and du = dy·SiLU′(u): one pass writing
/// dx̂ = du·a and the per-plane sums Σdu and Σdu·x̂ — which give dβ, dγ, dshift, dscale and both
/// means of GN's backward — then one pass for dx = (1/σ)·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)).
public func groupNormSiLU(_ x: Tensor, groups: Int, gamma: Tensor?, beta: Tensor?,
                          scale: Tensor? = nil, shift: Tensor? = nil, eps: Float = 1e-5) -> Tensor {
    precondition(x.rank >= 2 && groups >= 1 && x.shape[1] % groups == 0, "groupNormSiLU: \(groups) groups for input \(x.shape)")
    let n = x.shape[0], c = x.shape[1], sp = x.count / max(1, n * c)
    if let gamma { precondition(gamma.shape == [c], "groupNormSiLU: gamma \(gamma.shape) for \(c) channels") }
    if let beta { precondition(beta.shape == [c], "groupNormSiLU: beta \(beta.shape) for \(c) channels") }
    if let scale { precondition(scale.shape == [n, c], "groupNormSiLU: scale \(scale.shape) for [\(n), \(c)]") }
    if let shift { precondition(shift.shape == [n, c], "groupNormSiLU: shift \(shift.shape) for [\(n), \(c)]") }
    let cpg = c / groups, len = cpg * sp, runs = n * groups
    let stats = TensorStorage(uninitialized: 2 * runs)     // per group: mean, then 1/σ
    let out = Tensor(uninitializedShape: x.shape)
    let px = x.data, po = out.mutableData, pmean = stats.pointer, pinv = stats.pointer + runs
    let pgam = gamma?.data, pbet = beta?.data, psc = scale?.data, psh = shift?.data

    /// The modulated affine (a, b) of plane (sample `b`, channel `ch`).
    @inline(__always) func affine(_ b: Int, _ ch: Int) -> (Float, Float) {
        let s1 = 1 + (psc?[b * c + ch] ?? 0)
        return ((pgam?[ch] ?? 1) * s1, (pbet?[ch] ?? 0) * s1 + (psh?[b * c + ch] ?? 0))
    }

    parallelFor(runs, minChunk: max(1, 32_768 / max(1, len))) { r in
        for run in r {
            // Run `run` = sample b, group g: channels g·C/G ..< (g+1)·C/G, contiguous.
            let base = run * len, p = px + base
            let shift = len > 0 ? p[0] : 0
            let (s1, s2) = shiftedSums(p, len, shift: shift)
            let d = s1 / Double(max(1, len))
            let variance = max(0, s2 / Double(max(1, len)) - d * d)
            let m = Float(Double(shift) + d), inv = Float(1 / (variance + Double(eps)).squareRoot())
            pmean[run] = m; pinv[run] = inv
            let b = run / groups, g0 = (run % groups) * cpg
            for cc in 0..<cpg {
                let (a, bb) = affine(b, g0 + cc)
                let xs = p + cc * sp, ys = po + base + cc * sp
                let mv = SIMD8<Float>(repeating: m), iv = SIMD8<Float>(repeating: inv)
                let av = SIMD8<Float>(repeating: a), bv = SIMD8<Float>(repeating: bb)
                var i = 0
                while i + 8 <= sp {
                    let xh = (UnsafeRawPointer(xs + i).loadUnaligned(as: SIMD8<Float>.self) - mv) * iv
                    let u = xh * av + bv
                    UnsafeMutableRawPointer(ys + i).storeBytes(of: u * simdSigmoid(u), as: SIMD8<Float>.self)
                    i += 8
                }
                while i < sp {
                    ys[i] = SiLUOp.f((xs[i] - m) * inv * a + bb)
                    i += 1
                }
            }
        }
    }

    var inputs = [x]
    for t in [gamma, beta, scale, shift] { if let t { inputs.append(t) } }
    return out.record("groupNormSiLU", inputs) { gy in
        let pg = gy.data, px = x.data, pmean = stats.pointer, pinv = stats.pointer + runs   // (keeps stats alive)
        let gx = Tensor(uninitializedShape: x.shape)        // dx̂ after the first pass, dx after the second
        let sums = TensorStorage(uninitialized: 2 * n * c)  // per plane: Σdu, then Σdu·x̂
        let pd = gx.mutableData, ps1 = sums.pointer, ps2 = sums.pointer + n * c
        let needX = x.requiresGrad
        parallelFor(runs, minChunk: max(1, 32_768 / max(1, len))) { r in
            for run in r {
                let base = run * len, b = run / groups, g0 = (run % groups) * cpg
                let m = pmean[run], inv = pinv[run]
                let mv = SIMD8<Float>(repeating: m), iv = SIMD8<Float>(repeating: inv)
                var sumD = 0.0, sumDQ = 0.0          // Σ dx̂ and Σ dx̂·x̂ over the group
                for cc in 0..<cpg {
                    let ch = g0 + cc
                    let (a, bb) = affine(b, ch)
                    let gs = pg + base + cc * sp, xs = px + base + cc * sp, ds = pd + base + cc * sp
                    let av = SIMD8<Float>(repeating: a), bv = SIMD8<Float>(repeating: bb)
                    var s1 = 0.0, s2 = 0.0, i = 0
                    while i + 8 <= sp {
                        let end = min(sp, i + laneBlock)
                        var acc1 = SIMD8<Float>(), acc2 = SIMD8<Float>()
                        while i + 8 <= end {
                            let xh = (UnsafeRawPointer(xs + i).loadUnaligned(as: SIMD8<Float>.self) - mv) * iv
                            let gv = UnsafeRawPointer(gs + i).loadUnaligned(as: SIMD8<Float>.self)
                            let u = xh * av + bv
                            let sg = simdSigmoid(u)
                            let du = gv * sg * (1 + u * (1 - sg))
                            UnsafeMutableRawPointer(ds + i).storeBytes(of: du * av, as: SIMD8<Float>.self)
                            acc1 += du; acc2 += du * xh
                            i += 8
                        }
                        s1 += Double(acc1.sum()); s2 += Double(acc2.sum())
                    }
                    while i < sp {
                        let xh = (xs[i] - m) * inv
                        let u = xh * a + bb
                        let du = gs[i] * SiLUOp.df(u, 0)
                        ds[i] = du * a
                        s1 += Double(du); s2 += Double(du * xh)
                        i += 1
                    }
                    ps1[b * c + ch] = Float(s1); ps2[b * c + ch] = Float(s2)
                    sumD += Double(a) * s1; sumDQ += Double(a) * s2
                }
                guard needX else { continue }
                let md = Float(sumD / Double(max(1, len))), mdq = Float(sumDQ / Double(max(1, len)))
                let d = pd + base, q = px + base
                let mdv = SIMD8<Float>(repeating: md), mqv = SIMD8<Float>(repeating: mdq)
                var i = 0
                while i + 8 <= len {
                    let dv = UnsafeRawPointer(d + i).loadUnaligned(as: SIMD8<Float>.self)
                    let qv = (UnsafeRawPointer(q + i).loadUnaligned(as: SIMD8<Float>.self) - mv) * iv
                    UnsafeMutableRawPointer(d + i).storeBytes(of: iv * (dv - mdv - qv * mqv), as: SIMD8<Float>.self)
                    i += 8
                }
                while i < len { d[i] = inv * (d[i] - md - (q[i] - m) * inv * mdq); i += 1 }
            }
        }
        // Parameter gradients from the per-plane sums S1 = Σdu, S2 = Σdu·x̂:
        // dβ_c = Σ_b (1+s)·S1, dγ_c = Σ_b (1+s)·S2, dshift = S1, dscale = γ·S2 + β·S1.
        var grads: [Tensor?] = [needX ? gx : nil]
        func perChannel(_ sums: UnsafeMutablePointer<Float>) -> Tensor {
            let t = Tensor(uninitializedShape: [c])
            for ch in 0..<c {
                var s: Float = 0
                for b in 0..<n { s += (1 + (psc?[b * c + ch] ?? 0)) * sums[b * c + ch] }
                t.mutableData[ch] = s
            }
            return t
        }
        if let gamma { grads.append(gamma.requiresGrad ? perChannel(ps2) : nil) }
        if let beta { grads.append(beta.requiresGrad ? perChannel(ps1) : nil) }
        if let scale {
            if scale.requiresGrad {
                let t = Tensor(uninitializedShape: scale.shape)
                for i in 0..<(n * c) { t.mutableData[i] = (pgam?[i % c] ?? 1) * ps2[i] + (pbet?[i % c] ?? 0) * ps1[i] }
                grads.append(t)
            } else { grads.append(nil) }
        }
        if let shift {
            if shift.requiresGrad {
                let t = Tensor(uninitializedShape: shift.shape)
                t.mutableData.update(from: ps1, count: n * c)
                grads.append(t)
            } else { grads.append(nil) }
        }
        withExtendedLifetime(sums) {}   // ps1, ps2 point into it
        return grads
    }
}
