import Foundation
import NN
import Support
import TensorCore

/// One slot of the transformer's input: the class prefix, or a node with its input token
/// (a child mask 0…255, `OctreeTransformerConfig.maskToken` or `.bosToken`) and position.
public enum OctreeSlot: Sendable, Equatable {
    case prefix(label: Int)
    case node(token: Int, position: OctreeNodePosition)

    /// Depth for attention: −1 for the prefix (every slot sees it).
    var depth: Int {
        switch self { case .prefix: return -1; case let .node(_, p): return p.depth }
    }
}

/// A decoder-only transformer over child-mask sequences (OctGPT, Wei et al., SIGGRAPH 2025, at CPU
/// scale; Uni-3DAR's 256-way child-mask tokens): pre-norm blocks (LN → multi-head attention →
/// residual, LN → GELU MLP → residual; Radford et al. 2019), a final LN and a linear head to the 256
/// child masks.
///
/// **Input embedding** of a slot: token table[token] + depth table[depth] + x/y/z tables[offset(d) + x/y/z]
/// + mode table[mode], offset(d) = 2^d − 1 — a learned embedding of the node's (depth, x, y, z),
/// factorized per axis, at the node's own depth. The class prefix (slot 0) is the class token with the
/// tables' prefix rows; it conditions every slot.
///
/// **Attention** (`allowed(i, j)`): every slot sees the prefix; in `.nextToken` mode slot i sees
/// j ≤ i; in `.parallel` mode it sees every slot of a coarser or its own depth. Padding slots (past
/// a sequence's length in a batch) see only themselves and nobody sees them.
///
/// Shapes: a batch of B slot lists padded to L → logits [B, L − 1, 256] for the node slots (slot k + 1
/// of each list is its node k). Parameter names: `token_emb`, `depth_emb`, `x_emb`, `y_emb`, `z_emb`,
/// `mode_emb`, `blocks.<i>.{ln1,attn,ln2,fc1,fc2}.…`, `ln_f.…`, `head.…`.
public final class OctreeTransformer: Layer {
    public let config: OctreeTransformerConfig
    let tokenEmb, depthEmb, xEmb, yEmb, zEmb, modeEmb: Tensor
    let blocks: [Block]
    let lnF: LayerNorm
    let head: Linear

    final class Block: Layer {
        let ln1: LayerNorm, attn: MultiheadAttention, ln2: LayerNorm, fc1: Linear, fc2: Linear
        init(_ c: OctreeTransformerConfig, rng: inout SeededRandom) {
            ln1 = LayerNorm(c.embedDim); attn = MultiheadAttention(embedDim: c.embedDim, heads: c.heads, rng: &rng)
            ln2 = LayerNorm(c.embedDim)
            fc1 = Linear(c.embedDim, c.mlpRatio * c.embedDim, rng: &rng); fc2 = Linear(c.mlpRatio * c.embedDim, c.embedDim, rng: &rng)
        }
        var namedParameters: [(String, Tensor)] {
            prefixed("ln1", ln1) + prefixed("attn", attn) + prefixed("ln2", ln2) + prefixed("fc1", fc1) + prefixed("fc2", fc2)
        }
        func mlp(_ x: Tensor) -> Tensor { fc2(fc1(ln2(x)).gelu()) }
    }

    public init(_ config: OctreeTransformerConfig, rng: inout SeededRandom) {
        precondition(config.problem == nil, "OctreeTransformer: \(config.problem!)")
        self.config = config
        let e = config.embedDim
        func table(_ rows: Int) -> Tensor { Tensor.randn([rows, e], std: 0.02, rng: &rng, requiresGrad: true) }
        tokenEmb = table(config.tokenRows); depthEmb = table(config.depth + 1)
        xEmb = table(config.axisRows); yEmb = table(config.axisRows); zEmb = table(config.axisRows); modeEmb = table(2)
        blocks = (0..<config.layers).map { _ in Block(config, rng: &rng) }
        lnF = LayerNorm(e)
        head = Linear(e, OctreeTransformerConfig.maskCount, rng: &rng)
    }

    public var namedParameters: [(String, Tensor)] {
        [("token_emb", tokenEmb), ("depth_emb", depthEmb), ("x_emb", xEmb), ("y_emb", yEmb), ("z_emb", zEmb), ("mode_emb", modeEmb)]
            + blocks.enumerated().flatMap { i, b in prefixed("blocks.\(i)", b) } + prefixed("ln_f", lnF) + prefixed("head", head)
    }

    // MARK: Embedding and masks

    /// Table rows of a slot: (token, depth, x, y, z).
    private func rows(_ s: OctreeSlot) -> (Int, Int, Int, Int, Int) {
        let c = config, prefixRow = c.axisRows - 1
        switch s {
        case let .prefix(label):
            precondition(label >= 0 && label < max(1, c.classCount), "label \(label) outside the model's \(max(1, c.classCount)) classes")
            return (258 + label, c.depth, prefixRow, prefixRow, prefixRow)
        case let .node(token, p):
            precondition((0...OctreeTransformerConfig.bosToken).contains(token), "input token \(token) outside 0…257")
            precondition(p.depth >= 0 && p.depth < c.depth, "node depth \(p.depth) outside 0..<\(c.depth)")
            let n = 1 << p.depth, o = n - 1
            precondition([p.x, p.y, p.z].allSatisfy { (0..<n).contains($0) }, "node \(p) outside its depth's grid")
            return (token, p.depth, o + p.x, o + p.y, o + p.z)
        }
    }

    /// Embeddings [count, E] of slots with per-slot modes.
    func embed(_ slots: [OctreeSlot], modes: [Int]) -> Tensor {
        let r = slots.map(rows)
        return embedding(tokenEmb, r.map(\.0)) + embedding(depthEmb, r.map(\.1)) + embedding(xEmb, r.map(\.2))
            + embedding(yEmb, r.map(\.3)) + embedding(zEmb, r.map(\.4)) + embedding(modeEmb, modes)
    }

    /// Whether query slot i may attend to key slot j of one sequence (see the type's doc).
    static func allowed(_ slots: [OctreeSlot], _ mode: OctreeDecoding, _ i: Int, _ j: Int) -> Bool {
        if j == 0 { return true }
        switch mode {
        case .nextToken: return j <= i
        case .parallel: return slots[j].depth <= slots[i].depth
        }
    }

    /// The [L·L] boolean mask of one sequence padded to `length` slots.
    static func mask(_ slots: [OctreeSlot], _ mode: OctreeDecoding, length: Int) -> [Bool] {
        let n = slots.count
        var m = [Bool](repeating: false, count: length * length)
        for i in 0..<length {
            if i >= n { m[i * length + i] = true; continue }
            for j in 0..<n where allowed(slots, mode, i, j) { m[i * length + j] = true }
        }
        return m
    }

    // MARK: Full forward (training; the reference for the cache)

    /// Logits [B, L − 1, 256] of the node slots of every sequence (`sequences[b]` = its slots, the
    /// prefix first), padded to the longest, L = its slot count. Recorded for backward.
    public func callAsFunction(_ sequences: [[OctreeSlot]], modes: [OctreeDecoding]) -> Tensor {
        var unused = SeededRandom(seed: 0)
        return self(sequences, modes: modes, dropout: 0, rng: &unused)
    }

    /// The same with dropout for training (GPT-2's placement): on the summed input embeddings and
    /// on each residual branch (attention and MLP outputs) before it is added, masks drawn from
    /// `rng` in that order; `dropout` 0 is the plain forward and draws nothing.
    public func callAsFunction(_ sequences: [[OctreeSlot]], modes: [OctreeDecoding], dropout p: Float, rng: inout SeededRandom) -> Tensor {
        precondition(!sequences.isEmpty && sequences.count == modes.count, "one mode per sequence")
        precondition(sequences.allSatisfy { $0.count >= 1 && $0.first.map { if case .prefix = $0 { return true } else { return false } } == true },
                     "every sequence starts with its class prefix")
        let b = sequences.count, l = sequences.map(\.count).max()!, e = config.embedDim
        var flat: [OctreeSlot] = [], modeRows: [Int] = []
        for (s, m) in zip(sequences, modes) {
            flat += s + [OctreeSlot](repeating: .node(token: OctreeTransformerConfig.bosToken, position: .root), count: l - s.count)
            modeRows += [Int](repeating: m == .nextToken ? 0 : 1, count: l)
        }
        let masks = zip(sequences, modes).map { AttentionMask.boolean(Self.mask($0, $1, length: l)) }
        var x = dropout(embed(flat, modes: modeRows).reshaped([b, l, e]), p: p, rng: &rng)
        for blk in blocks {
            x = x + dropout(blk.attn(blk.ln1(x), masks: masks), p: p, rng: &rng)
            x = x + dropout(blk.mlp(x), p: p, rng: &rng)
        }
        return head(lnF(x)).slice(axis: 1, 1..<l)
    }

    // MARK: Cached forward (decoding)

    /// Logits [n, 256] of `slots` appended after the slots held in `cache` (no history recorded):
    /// the new slots see every cached slot, and each other causally (`.nextToken`) or all
    /// (`.parallel`). With `commit`, their keys and values stay in the cache; otherwise the next
    /// call overwrites them (how parallel decoding re-runs a depth until its tokens are fixed).
    ///
    /// Equals the full forward's logits at those slots whenever the cached slots are the ones the
    /// full forward would see (the test oracle): the prefix and earlier slots for `.nextToken`,
    /// the prefix and all coarser depths for `.parallel`.
    public func cachedLogits(_ slots: [OctreeSlot], mode: OctreeDecoding, cache: OctreeKVCache, commit: Bool) -> Tensor {
        precondition(cache.layers == config.layers && cache.heads == config.heads && cache.headDim == config.embedDim / config.heads, "cache of another model")
        let n = slots.count, t0 = cache.count
        precondition(t0 + n <= cache.capacity, "KV cache overflow: \(t0 + n) slots for a capacity of \(cache.capacity)")
        return withNoGrad {
            var x = embed(slots, modes: [Int](repeating: mode == .nextToken ? 0 : 1, count: n))   // [n, E]
            for (layer, blk) in blocks.enumerated() {
                let qkv = blk.attn.inProj(blk.ln1(x))   // [n, 3E]
                let o = cache.attend(layer: layer, qkv: qkv, causal: mode == .nextToken)   // [n, E]
                x = x + blk.attn.outProj(o)
                x = x + blk.mlp(x)
            }
            if commit { cache.count = t0 + n }
            return head(lnF(x))
        }
    }

    /// A cache for sequences of up to `capacity` slots (prefix included).
    public func makeCache(capacity: Int) -> OctreeKVCache {
        OctreeKVCache(layers: config.layers, heads: config.heads, headDim: config.embedDim / config.heads, capacity: capacity)
    }
}

/// Keys and values of the slots decoded so far, per layer and head: `keys[layer]` is
/// [heads, capacity, headDim] row-major (slot t of head h at (h·capacity + t)·headDim), likewise
/// `values`. Slots 0..<count are committed; `attend` writes new slots after them.
public final class OctreeKVCache {
    public let layers: Int, heads: Int, headDim: Int, capacity: Int
    public internal(set) var count = 0
    private let keys: [UnsafeMutablePointer<Float>]
    private let values: [UnsafeMutablePointer<Float>]

    init(layers: Int, heads: Int, headDim: Int, capacity: Int) {
        precondition(capacity >= 1, "KV cache capacity must be ≥ 1")
        self.layers = layers; self.heads = heads; self.headDim = headDim; self.capacity = capacity
        let size = heads * capacity * headDim
        keys = (0..<layers).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: size) }
        values = (0..<layers).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: size) }
    }
    deinit { for p in keys + values { p.deallocate() } }

    /// Forgets every slot.
    public func reset() { count = 0 }

    /// Attention of n new slots (`qkv` [n, 3E]: q, k, v of each, heads side by side) over the
    /// committed slots and themselves: stores their k, v at count..<count + n, then per head
    /// softmax(q·Kᵀ/√dh + mask)·V with sgemm; new slot i sees new slot j iff j ≤ i when `causal`.
    /// Returns the heads merged, [n, E].
    func attend(layer: Int, qkv: Tensor, causal: Bool) -> Tensor {
        let n = qkv.shape[0], e = heads * headDim, t0 = count, total = t0 + n
        let src = qkv.data, kc = keys[layer], vc = values[layer]
        let q = UnsafeMutablePointer<Float>.allocate(capacity: n * headDim)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: n * total)
        let oh = UnsafeMutablePointer<Float>.allocate(capacity: n * headDim)
        defer { q.deallocate(); scores.deallocate(); oh.deallocate() }
        let out = Tensor(uninitializedShape: [n, e])
        let po = out.mutableData
        let scale = 1 / Float(headDim).squareRoot()
        for h in 0..<heads {
            for i in 0..<n {
                let row = src + i * 3 * e + h * headDim
                (q + i * headDim).update(from: row, count: headDim)
                (kc + (h * capacity + t0 + i) * headDim).update(from: row + e, count: headDim)
                (vc + (h * capacity + t0 + i) * headDim).update(from: row + 2 * e, count: headDim)
            }
            let kh = kc + h * capacity * headDim, vh = vc + h * capacity * headDim
            sgemm(false, true, m: n, n: total, k: headDim, alpha: scale, UnsafePointer(q), UnsafePointer(kh), scores)
            for i in 0..<n {
                let r = scores + i * total
                let visible = causal ? t0 + i + 1 : total
                var m = -Float.infinity
                for j in 0..<visible { m = max(m, r[j]) }
                var s: Float = 0
                for j in 0..<visible { r[j] = Foundation.exp(r[j] - m); s += r[j] }
                let inv = 1 / s
                for j in 0..<visible { r[j] *= inv }
                for j in visible..<total { r[j] = 0 }
            }
            sgemm(false, false, m: n, n: headDim, k: total, UnsafePointer(scores), UnsafePointer(vh), oh)
            for i in 0..<n { (po + i * e + h * headDim).update(from: oh + i * headDim, count: headDim) }
        }
        return out
    }
}
