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
    var scores = matmul(q, k, transposeB: true) * s
    var masked: [Bool]? = nil
    switch mask {
    case .none: break
    case .causal:
        masked = (0..<(lq * lk)).map { idx in idx % lk > idx / lk + (lk - lq) }
    case .boolean(let allowed):
        precondition(allowed.count == lq * lk, "attention: boolean mask of \(allowed.count) for \(lq)×\(lk)")
        masked = allowed.map { !$0 }
    case .additive(let bias):
        scores = scores + bias
    }
    if let masked { scores = scores.maskedFill(masked, value: -.infinity) }
    var weights = scores.softmax(axis: -1)
    if masked != nil || { if case .additive = mask { return true } else { return false } }() {
        // Rows with every key masked are NaN after the softmax (0/0): make them zero.
        weights = weights.replacingNaN()
    }
    return matmul(weights, v)
}

extension Tensor {
    /// NaN → 0 (gradient 0 there, 1 elsewhere).
    func replacingNaN() -> Tensor {
        unaryOp("replaceNaN", { $0.isNaN ? 0 : $0 }, { x, _ in x.isNaN ? 0 : 1 })
    }
}
