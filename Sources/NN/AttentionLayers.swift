import Foundation
import Support
import TensorCore

/// Multi-head attention (Vaswani et al., NeurIPS 2017) with a fused input projection:
/// `inProj` [3·E, E] → q, k, v, split into `heads` heads of E/heads; `outProj` [E, E].
/// Inputs [B, L, E] → [B, L, E]. Self-attention when `key`/`value` are omitted.
public final class MultiheadAttention: Layer {
    public let embedDim: Int
    public let heads: Int
    public let inProj: Linear
    public let outProj: Linear

    public init(embedDim: Int, heads: Int, rng: inout SeededRandom) {
        precondition(embedDim % heads == 0, "MultiheadAttention: \(heads) heads do not divide \(embedDim)")
        self.embedDim = embedDim; self.heads = heads
        inProj = Linear(embedDim, 3 * embedDim, rng: &rng)
        outProj = Linear(embedDim, embedDim, rng: &rng)
    }

    public var namedParameters: [(String, Tensor)] { prefixed("in_proj", inProj) + prefixed("out_proj", outProj) }

    /// [B, L, E] → [B·H, L, E/H].
    private func splitHeads(_ x: Tensor) -> Tensor {
        let b = x.shape[0], l = x.shape[1], dh = embedDim / heads
        return x.reshaped([b, l, heads, dh]).permuted([0, 2, 1, 3]).reshaped([b * heads, l, dh])
    }

    public func callAsFunction(_ x: Tensor, mask: AttentionMask? = nil) -> Tensor {
        attend(x) { q, k, v in scaledDotProductAttention(q, k, v, mask: mask) }
    }

    /// Self-attention with one mask per batch entry (`masks.count` = B; e.g. sequences of several
    /// lengths padded to one, each with its own structure). Entry b's heads attend under `masks[b]`.
    public func callAsFunction(_ x: Tensor, masks: [AttentionMask]) -> Tensor {
        precondition(masks.count == x.shape[0], "MultiheadAttention: \(masks.count) masks for a batch of \(x.shape[0])")
        return attend(x) { q, k, v in
            Tensor.concat((0..<masks.count).map { b in
                let r = (b * heads)..<((b + 1) * heads)
                return scaledDotProductAttention(q.slice(axis: 0, r), k.slice(axis: 0, r), v.slice(axis: 0, r), mask: masks[b])
            }, axis: 0)
        }
    }

    /// in-projection → heads [B·H, L, dh] → `core` → merged heads → out-projection.
    private func attend(_ x: Tensor, _ core: (Tensor, Tensor, Tensor) -> Tensor) -> Tensor {
        precondition(x.rank == 3 && x.shape[2] == embedDim, "MultiheadAttention: input \(x.shape) for embedding \(embedDim)")
        let b = x.shape[0], l = x.shape[1]
        let qkv = inProj(x)   // [B, L, 3E]
        let q = splitHeads(qkv.slice(axis: 2, 0..<embedDim))
        let k = splitHeads(qkv.slice(axis: 2, embedDim..<(2 * embedDim)))
        let v = splitHeads(qkv.slice(axis: 2, (2 * embedDim)..<(3 * embedDim)))
        let o = core(q, k, v)   // [B·H, L, dh]
        let merged = o.reshaped([b, heads, l, embedDim / heads]).permuted([0, 2, 1, 3]).reshaped([b, l, embedDim])
        return outProj(merged)
    }
}

/// Sinusoidal timestep embedding (Vaswani et al. 2017; as in Ho et al.'s DDPM and Dhariwal &
/// Nichol's ADM): for t and i < dim/2, freq_i = exp(−ln(maxPeriod)·i/(dim/2)), output
/// [cos(t·freq), sin(t·freq)] (cos half first, as ADM). Result [N, dim] with no gradient.
public func sinusoidalEmbedding(_ timesteps: [Float], dim: Int, maxPeriod: Float = 10_000) -> Tensor {
    precondition(dim % 2 == 0, "sinusoidalEmbedding: dim must be even")
    let half = dim / 2
    var vals = [Float](repeating: 0, count: timesteps.count * dim)
    for (n, t) in timesteps.enumerated() {
        for i in 0..<half {
            let f = Foundation.exp(-Foundation.log(Double(maxPeriod)) * Double(i) / Double(half))
            vals[n * dim + i] = Float(Foundation.cos(Double(t) * f))
            vals[n * dim + half + i] = Float(Foundation.sin(Double(t) * f))
        }
    }
    return Tensor(vals, shape: [timesteps.count, dim])
}

/// Random Fourier features (Tancik et al., "Fourier Features Let Networks Learn High Frequency
/// Functions in Low Dimensional Domains", NeurIPS 2020): γ(x) = [sin(2π·x·B), cos(2π·x·B)] with a
/// fixed Gaussian B [inDim, count] of standard deviation `scale`. [..., inDim] → [..., 2·count].
/// B is a buffer, not a parameter (it is saved under the name `B`, and restored, with the layer).
public final class FourierFeatures: Layer {
    public let b: Tensor

    public init(inDim: Int, count: Int, scale: Float = 1, rng: inout SeededRandom) {
        b = Tensor.randn([inDim, count], std: scale, rng: &rng)
    }
    public var namedParameters: [(String, Tensor)] { [("B", b)] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        (matmul(x, b) * (2 * Float.pi)).sinCos()
    }
}
