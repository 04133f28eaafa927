import Foundation
import Support

// Scaled dot-product attention (Vaswani et al., "Attention Is All You Need", NeurIPS 2017):
// softmax(q·kᵀ/√d + mask)·v, composed from sgemm-backed batched matmuls and the fused softmax, so
// its backward is the chain of theirs.

/// Which key positions each query may attend to.
public enum AttentionMask {
    /// Query i sees keys 0...i + (Lk − Lq) (PyTorch's `is_causal`, aligned to the last key).
    case causal
    /// `allowed[i·Lk + j]` for query i and key j, shared by every batch entry.
    case boolean([Bool])
    /// An additive bias [Lq, Lk] (or [B, Lq, Lk]); −∞ entries mask.
    case additive(Tensor)
}

extension Tensor {
    /// Sets the entries where `masked[i]` is true (index modulo `masked.count`, so a mask of the
    /// last axes broadcasts over leading ones) to `value`; their gradient is zero.
    public func maskedFill(_ masked: [Bool], value: Float) -> Tensor {
        precondition(!masked.isEmpty && count % masked.count == 0, "maskedFill: mask of \(masked.count) for \(shape)")
        let m = masked.count
        let out = Tensor(uninitializedShape: shape)
        let px = data, po = out.mutableData
        masked.withUnsafeBufferPointer { mk in
            parallelFor(count, minChunk: elementwiseGrain) { r in for i in r { po[i] = mk[i % m] ? value : px[i] } }
        }
        return out.record("maskedFill", [self]) { g in
            let gx = Tensor(uninitializedShape: g.shape)
            let pg = g.data, pd = gx.mutableData
            masked.withUnsafeBufferPointer { mk in
                parallelFor(g.count, minChunk: elementwiseGrain) { r in for i in r { pd[i] = mk[i % m] ? 0 : pg[i] } }
            }
            return [gx]
        }
    }
}

/// Attention: `q` [B, Lq, D], `k` [B, Lk, D], `v` [B, Lk, Dv] → [B, Lq, Dv]. `scale` defaults to
/// 1/√D. A query whose keys are all masked gets weights of zero (PyTorch returns NaN there).
public func scaledDotProductAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: AttentionMask? = nil, scale: Float? = nil) -> Tensor {
    precondition(q.rank == 3 && k.rank == 3 && v.rank == 3 && q.shape[0] == k.shape[0] && k.shape[0] == v.shape[0]
                 && q.shape[2] == k.shape[2] && k.shape[1] == v.shape[1], "attention: q \(q.shape), k \(k.shape), v \(v.shape)")
    let lq = q.shape[1], lk = k.shape[1]
    let s = scale ?? 1 / Float(q.shape[2]).squareRoot()
    let scores = matmul(q, k, transposeB: true)
    switch mask {
    case .none: return matmul((scores * s).softmax(axis: -1), v)
    case .causal:
        return matmul(scores.maskedSoftmax(allowed: (0..<(lq * lk)).map { idx in idx % lk <= idx / lk + (lk - lq) }, scale: s), v)
    case .boolean(let allowed):
        precondition(allowed.count == lq * lk, "attention: boolean mask of \(allowed.count) for \(lq)×\(lk)")
        return matmul(scores.maskedSoftmax(allowed: allowed, scale: s), v)
    case .additive(let bias):
        // Rows with every key at −∞ are NaN after the softmax (0/0): make them zero.
        return matmul((scores * s + bias).softmax(axis: -1).replacingNaN(), v)
    }
}

// Masked softmax, fused: one [.., Lq, Lk] tensor instead of four (scaled, filled, softmaxed,
// NaN-cleared) — what makes attention over long octree sequences affordable.

/// y = softmax over the allowed entries of each row of `scale`·x, 0 at the others; a row with no
/// allowed entry is all 0. `x` [..., Lq, Lk] (row-major, so rows are the last axis), `allowed`
/// [Lq·Lk] shared by the leading axes; `y` has x's shape.
func maskedSoftmaxForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, lk: Int, allowed: UnsafePointer<Bool>, maskRows: Int, scale: Float) {
    parallelFor(rows, minChunk: max(1, elementwiseGrain / max(1, lk))) { r in
        for row in r {
            let xr = x + row * lk, yr = y + row * lk, ar = allowed + (row % maskRows) * lk
            var m = -Float.infinity
            for j in 0..<lk where ar[j] { m = Swift.max(m, scale * xr[j]) }
            var sum: Float = 0
            for j in 0..<lk {
                if ar[j] { let e = Foundation.exp(scale * xr[j] - m); yr[j] = e; sum += e } else { yr[j] = 0 }
            }
            if sum > 0 { let inv = 1 / sum; for j in 0..<lk { yr[j] *= inv } }
        }
    }
}

/// The gradient of `maskedSoftmaxForward` from its output `y`: gx = scale · y ⊙ (gy − Σⱼ gyⱼ·yⱼ)
/// per row (0 where masked, since y is).
func maskedSoftmaxBackward(_ gy: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ gx: UnsafeMutablePointer<Float>, rows: Int, lk: Int, scale: Float) {
    parallelFor(rows, minChunk: max(1, elementwiseGrain / max(1, lk))) { r in
        for row in r {
            let g = gy + row * lk, yr = y + row * lk, o = gx + row * lk
            var dot: Float = 0
            for j in 0..<lk { dot += g[j] * yr[j] }
            for j in 0..<lk { o[j] = scale * yr[j] * (g[j] - dot) }
        }
    }
}

extension Tensor {
    /// Softmax of `scale`·self along the last axis over the entries `allowed` (a mask of the last
    /// two axes, [rows·Lk] with rows = the second-to-last axis, broadcast over leading ones), 0
    /// elsewhere; fully masked rows are 0 with zero gradient. Equals
    /// `(self·scale).maskedFill(!allowed, −∞).softmax().replacingNaN()` (the test oracle).
    public func maskedSoftmax(allowed: [Bool], scale: Float = 1) -> Tensor {
        precondition(rank >= 2 && allowed.count == shape[rank - 2] * shape[rank - 1], "maskedSoftmax: mask of \(allowed.count) for \(shape)")
        let lk = shape[rank - 1], rows = count / Swift.max(1, lk), maskRows = shape[rank - 2]
        let y = Tensor(uninitializedShape: shape)
        allowed.withUnsafeBufferPointer { a in
            maskedSoftmaxForward(data, y.mutableData, rows: rows, lk: lk, allowed: a.baseAddress!, maskRows: maskRows, scale: scale)
        }
        let shp = shape, yv = y.detached()
        return y.record("maskedSoftmax", [self]) { g in
            let gx = Tensor(uninitializedShape: shp)
            maskedSoftmaxBackward(g.data, yv.data, gx.mutableData, rows: rows, lk: lk, scale: scale)
            return [gx]
        }
    }
}

extension Tensor {
    /// NaN → 0 (gradient 0 there, 1 elsewhere).
    func replacingNaN() -> Tensor {
        unaryOp("replaceNaN", { $0.isNaN ? 0 : $0 }, { x, _ in x.isNaN ? 0 : 1 })
    }
}
