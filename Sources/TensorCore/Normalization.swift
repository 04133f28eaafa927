import Foundation
import Support

// Group normalization (Wu & He, "Group Normalization", ECCV 2018) and layer normalization (Ba,
// Kiros & Hinton, "Layer Normalization", 2016): fused forward and backward kernels. Statistics
// are biased (divide by n) and accumulated in Double, as PyTorch does.

/// Normalizes `groups` runs of `len` contiguous values each (mean 0, variance 1 per run), then
/// applies a per-element affine `y = x̂·γ[a(i)] + β[a(i)]`. Returns x̂ and 1/σ per run.
///
/// The backward of the normalization of one run, with dx̂ = dy·γ:
///   dx = (1/σ)·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)).
private struct RunNorm {
    let runs: Int, len: Int, eps: Float

    func forward(_ x: UnsafePointer<Float>, xhat: UnsafeMutablePointer<Float>, invStd: UnsafeMutablePointer<Float>) {
        parallelFor(runs, minChunk: max(1, 32_768 / max(1, len))) { r in
            for run in r {
                let p = x + run * len, q = xhat + run * len
                var s = 0.0, ss = 0.0
                for i in 0..<len { let v = Double(p[i]); s += v; ss += v * v }
                let mean = s / Double(len)
                let v = max(0, ss / Double(len) - mean * mean)
                let inv = Float(1 / (v + Double(eps)).squareRoot())
                let m = Float(mean)
                for i in 0..<len { q[i] = (p[i] - m) * inv }
                invStd[run] = inv
            }
        }
    }

    /// dx from dx̂ (in place: `dxhat` becomes dx).
    func backward(_ dxhat: UnsafeMutablePointer<Float>, xhat: UnsafePointer<Float>, invStd: UnsafePointer<Float>) {
        parallelFor(runs, minChunk: max(1, 32_768 / max(1, len))) { r in
            for run in r {
                let d = dxhat + run * len, q = xhat + run * len
                var s = 0.0, sq = 0.0
                for i in 0..<len { s += Double(d[i]); sq += Double(d[i] * q[i]) }
                let md = Float(s / Double(len)), mdq = Float(sq / Double(len)), inv = invStd[run]
                for i in 0..<len { d[i] = inv * (d[i] - md - q[i] * mdq) }
            }
        }
    }
}

/// GroupNorm: `x` [N, C, *spatial], `groups` dividing C; statistics over each group's C/G
/// channels × spatial positions; `gamma`, `beta` [C] (per channel). Result has x's shape.
public func groupNorm(_ x: Tensor, groups: Int, gamma: Tensor?, beta: Tensor?, eps: Float = 1e-5) -> Tensor {
    precondition(x.rank >= 2 && groups >= 1 && x.shape[1] % groups == 0, "groupNorm: \(groups) groups for input \(x.shape)")
    let n = x.shape[0], c = x.shape[1], spatial = x.count / max(1, n * c)
    if let gamma { precondition(gamma.shape == [c], "groupNorm: gamma \(gamma.shape) for \(c) channels") }
    if let beta { precondition(beta.shape == [c], "groupNorm: beta \(beta.shape) for \(c) channels") }
    let norm = RunNorm(runs: n * groups, len: (c / groups) * spatial, eps: eps)
    let xhat = Tensor(uninitializedShape: x.shape)
    let invStd = Tensor(uninitializedShape: [n * groups])
    norm.forward(x.data, xhat: xhat.mutableData, invStd: invStd.mutableData)
    let out = Tensor(uninitializedShape: x.shape)
    let pq = xhat.data, po = out.mutableData
    let pgam = gamma?.data, pbet = beta?.data
    // Per (image, channel) plane: y = x̂·γ_c + β_c.
    parallelFor(n * c, minChunk: max(1, 32_768 / max(1, spatial))) { r in
        for nc in r {
            let ch = nc % c, gm = pgam?[ch] ?? 1, bt = pbet?[ch] ?? 0
            let q = pq + nc * spatial, o = po + nc * spatial
            for i in 0..<spatial { o[i] = q[i] * gm + bt }
        }
    }
    var inputs = [x]
    if let gamma { inputs.append(gamma) }
    if let beta { inputs.append(beta) }
    return out.record("groupNorm", inputs) { gy in
        let pg = gy.data, pq = xhat.data
        var grads: [Tensor?] = []
        if x.requiresGrad {
            let gx = Tensor(uninitializedShape: x.shape)
            let pgx = gx.mutableData, pgam = gamma?.data
            parallelFor(n * c, minChunk: max(1, 32_768 / max(1, spatial))) { r in
                for nc in r {
                    let gm = pgam?[nc % c] ?? 1
                    let s = pg + nc * spatial, d = pgx + nc * spatial
                    for i in 0..<spatial { d[i] = s[i] * gm }
                }
            }
            norm.backward(pgx, xhat: pq, invStd: invStd.data)
            grads.append(gx)
        } else { grads.append(nil) }
        if let gamma {
            if gamma.requiresGrad {
                let gg = Tensor(uninitializedShape: [c])
                let p = gg.mutableData
                parallelFor(c, minChunk: max(1, 16_384 / max(1, n * spatial))) { r in
                    for ch in r {
                        var s: Float = 0
                        for b in 0..<n { let o = (b * c + ch) * spatial; for i in 0..<spatial { s += pg[o + i] * pq[o + i] } }
                        p[ch] = s
                    }
                }
                grads.append(gg)
            } else { grads.append(nil) }
        }
        if let beta { grads.append(beta.requiresGrad ? channelSums(gy, n: n, c: c, hw: spatial) : nil) }
        return grads
    }
}

/// LayerNorm over the last axis: `x` [..., D], `gamma`, `beta` [D]. Result has x's shape.
public func layerNorm(_ x: Tensor, gamma: Tensor?, beta: Tensor?, eps: Float = 1e-5) -> Tensor {
    precondition(x.rank >= 1, "layerNorm: scalar input")
    let d = x.shape[x.rank - 1], rows = x.count / max(1, d)
    if let gamma { precondition(gamma.shape == [d], "layerNorm: gamma \(gamma.shape) for last axis \(d)") }
    if let beta { precondition(beta.shape == [d], "layerNorm: beta \(beta.shape) for last axis \(d)") }
    let norm = RunNorm(runs: rows, len: d, eps: eps)
    let xhat = Tensor(uninitializedShape: x.shape)
    let invStd = Tensor(uninitializedShape: [rows])
    norm.forward(x.data, xhat: xhat.mutableData, invStd: invStd.mutableData)
    let out = Tensor(uninitializedShape: x.shape)
    let pq = xhat.data, po = out.mutableData, pgam = gamma?.data, pbet = beta?.data
    parallelFor(rows, minChunk: max(1, 32_768 / max(1, d))) { r in
        for row in r {
            let q = pq + row * d, o = po + row * d
            for i in 0..<d { o[i] = q[i] * (pgam?[i] ?? 1) + (pbet?[i] ?? 0) }
        }
    }
    var inputs = [x]
    if let gamma { inputs.append(gamma) }
    if let beta { inputs.append(beta) }
    return out.record("layerNorm", inputs) { gy in
        let pg = gy.data, pq = xhat.data
        var grads: [Tensor?] = []
        if x.requiresGrad {
            let gx = Tensor(uninitializedShape: x.shape)
            let pgx = gx.mutableData, pgam = gamma?.data
            parallelFor(rows, minChunk: max(1, 32_768 / max(1, d))) { r in
                for row in r { for i in 0..<d { pgx[row * d + i] = pg[row * d + i] * (pgam?[i] ?? 1) } }
            }
            norm.backward(pgx, xhat: pq, invStd: invStd.data)
            grads.append(gx)
        } else { grads.append(nil) }
        if let gamma {
            if gamma.requiresGrad {
                let gg = Tensor(zeros: [d])
                let p = gg.mutableData
                for row in 0..<rows { for i in 0..<d { p[i] += pg[row * d + i] * pq[row * d + i] } }
                grads.append(gg)
            } else { grads.append(nil) }
        }
        if let beta { grads.append(beta.requiresGrad ? gy.sum(to: [d]) : nil) }
        return grads
    }
}
