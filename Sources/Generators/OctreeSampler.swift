import Foundation
import Support
import TensorCore

/// How `OctreeSampler` draws tokens.
public struct OctreeSamplerSettings: Sendable, Equatable {
    public var decoding: OctreeDecoding = .parallel
    /// Softmax temperature; 0 is greedy (the most probable allowed mask).
    public var temperature: Float = 1
    /// Keep only the k most probable allowed masks (0: all).
    public var topK: Int = 0
    /// Nucleus sampling (Holtzman et al., ICLR 2020): keep the fewest most probable allowed masks
    /// whose probability under the temperature-scaled softmax (after top-k) reaches `topP`, always
    /// at least the most probable one; 1 keeps all.
    public var topP: Float = 1
    /// Parallel decoding: MaskGIT steps per depth (fewer when a depth has fewer nodes).
    public var stepsPerDepth: Int = 8
    public init(decoding: OctreeDecoding = .parallel, temperature: Float = 1, topK: Int = 0, topP: Float = 1, stepsPerDepth: Int = 8) {
        self.decoding = decoding; self.temperature = temperature; self.topK = topK; self.topP = topP; self.stepsPerDepth = stepsPerDepth
    }
}

/// Samples child-mask sequences from an `OctreeTransformer` with its key-value cache.
///
/// **Validity.** Only masks that keep the sequence a valid octree are ever drawn: non-zero (every
/// node above the finest depth is occupied, so it has a child), and with at most
/// `ChildMaskSequence.maxChildren` children, so that the finished sequence fits the model's context.
/// Every sampled sequence therefore decodes (the tests check 100%).
///
/// **Next-token** (`.nextToken`): one cached forward of one slot per token, in sequence order.
///
/// **Parallel** (`.parallel`, OctGPT's multiscale decoding with MaskGIT's schedule, Chang et al.,
/// CVPR 2022): depth by depth, all nodes of the depth start as [MASK]; at step s of S =
/// min(nodes, stepsPerDepth) every undecided node draws a mask, and all but
/// ⌊n·cos(π/2 · s/S)⌋ of them keep theirs — the most confident (highest probability) first; the
/// others return to [MASK]. The finished depth is then committed to the cache (its keys and values
/// with the final tokens), and its children form the next depth.
public struct OctreeSampler {
    public let model: OctreeTransformer
    public var settings: OctreeSamplerSettings

    public init(model: OctreeTransformer, settings: OctreeSamplerSettings = OctreeSamplerSettings()) {
        precondition(settings.temperature >= 0 && settings.topK >= 0 && settings.topP > 0 && settings.topP <= 1 && settings.stepsPerDepth >= 1, "sampler settings out of range")
        self.model = model; self.settings = settings
    }

    /// One sequence of class `label`, drawing from `rng`.
    public func sample(label: Int, rng: inout SeededRandom) -> ChildMaskSequence {
        let c = model.config
        let cache = model.makeCache(capacity: c.contextLength + 1)
        _ = model.cachedLogits([.prefix(label: label)], mode: settings.decoding, cache: cache, commit: true)
        switch settings.decoding {
        case .nextToken: return sampleNextToken(cache: cache, rng: &rng)
        case .parallel: return sampleParallel(cache: cache, rng: &rng)
        }
    }

    private func sampleNextToken(cache: OctreeKVCache, rng: inout SeededRandom) -> ChildMaskSequence {
        let c = model.config
        var queue: [OctreeNodePosition] = [.root], tokens: [UInt8] = []
        var perDepth = [Int](repeating: 0, count: c.depth + 1)
        perDepth[0] = 1
        var previous = OctreeTransformerConfig.bosToken
        while tokens.count < queue.count {
            let i = tokens.count, p = queue[i], d = p.depth
            let logits = model.cachedLogits([.node(token: previous, position: p)], mode: .nextToken, cache: cache, commit: true)
            let through = perDepth[0...d].reduce(0, +)
            let limit = ChildMaskSequence.maxChildren(depth: d, structureDepth: c.depth, maxTokens: c.contextLength, nodesThroughDepth: through,
                                                      fixedChildren: perDepth[d + 1], undecided: through - i - 1)
            let m = Self.choose(logits.data, maxChildren: limit, settings, &rng).token
            tokens.append(UInt8(m))
            if d + 1 < c.depth {
                let kids = p.children(UInt8(m))
                queue += kids; perDepth[d + 1] += kids.count
            }
            previous = m
        }
        return ChildMaskSequence(validTokens: tokens, positions: queue, depth: c.depth)
    }

    private func sampleParallel(cache: OctreeKVCache, rng: inout SeededRandom) -> ChildMaskSequence {
        let c = model.config
        var level: [OctreeNodePosition] = [.root], tokens: [UInt8] = [], positions: [OctreeNodePosition] = []
        for d in 0..<c.depth where !level.isEmpty {
            let n = level.count, through = positions.count + n
            var fixed = [Int?](repeating: nil, count: n)
            let steps = min(n, settings.stepsPerDepth)
            func slots() -> [OctreeSlot] {
                (0..<n).map { .node(token: fixed[$0] ?? OctreeTransformerConfig.maskToken, position: level[$0]) }
            }
            for s in 1...steps {
                let logits = model.cachedLogits(slots(), mode: .parallel, cache: cache, commit: false)
                let undecided = (0..<n).filter { fixed[$0] == nil }
                var children = fixed.reduce(0) { $0 + ($1.map { $0.nonzeroBitCount } ?? 0) }
                let limit = { (others: Int) in
                    ChildMaskSequence.maxChildren(depth: d, structureDepth: c.depth, maxTokens: c.contextLength, nodesThroughDepth: through,
                                                  fixedChildren: children, undecided: others)
                }
                let drawn = undecided.map { i in Self.choose(logits.data + i * OctreeTransformerConfig.maskCount, maxChildren: limit(undecided.count - 1), settings, &rng) }
                let keepMasked = s == steps ? 0 : min(undecided.count - 1, Int((Double(n) * Foundation.cos(Double.pi / 2 * Double(s) / Double(steps))).rounded(.down)))
                let order = undecided.indices.sorted { drawn[$0].probability > drawn[$1].probability || (drawn[$0].probability == drawn[$1].probability && $0 < $1) }
                for (k, j) in order.prefix(undecided.count - keepMasked).enumerated() {
                    var m = drawn[j].token
                    let bound = limit(undecided.count - keepMasked - k - 1 + keepMasked)
                    if m.nonzeroBitCount > bound {
                        m = Self.choose(logits.data + undecided[j] * OctreeTransformerConfig.maskCount, maxChildren: bound, settings, &rng).token
                    }
                    fixed[undecided[j]] = m
                    children += m.nonzeroBitCount
                }
            }
            let final = fixed.map { $0! }
            tokens += final.map(UInt8.init); positions += level
            if d + 1 < c.depth {
                _ = model.cachedLogits(slots(), mode: .parallel, cache: cache, commit: true)
                level = zip(level, final).flatMap { p, m in p.children(UInt8(m)) }
            } else { level = [] }
        }
        return ChildMaskSequence(validTokens: tokens, positions: positions, depth: c.depth)
    }

    /// Draws a mask from one row of 256 logits among the allowed ones (1…255 with at most
    /// `maxChildren` bits set): greedy at temperature 0, else from softmax(logits/T) restricted to
    /// the top k, then to the nucleus of mass `topP` (ties in logit broken toward the smaller mask,
    /// so the draw is a function of the logits and the stream alone). `probability` is the chosen mask's probability under the (unrestricted-by-top-k)
    /// temperature-1 softmax over the allowed masks — the confidence parallel decoding ranks by.
    static func choose(_ logits: UnsafePointer<Float>, maxChildren: Int, _ s: OctreeSamplerSettings, _ rng: inout SeededRandom) -> (token: Int, probability: Float) {
        let allowed = (1..<256).filter { $0.nonzeroBitCount <= max(1, maxChildren) }
        var best = allowed[0]
        for t in allowed where logits[t] > logits[best] { best = t }
        var z: Float = 0
        for t in allowed { z += Foundation.exp(logits[t] - logits[best]) }
        func confidence(_ t: Int) -> Float { Foundation.exp(logits[t] - logits[best]) / z }
        if s.temperature == 0 { return (best, confidence(best)) }
        var pool = allowed
        if (s.topK > 0 && s.topK < pool.count) || s.topP < 1 {
            pool.sort { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        }
        if s.topK > 0 && s.topK < pool.count { pool = Array(pool.prefix(s.topK)) }
        var w = pool.map { Foundation.exp((logits[$0] - logits[best]) / s.temperature) }
        if s.topP < 1 {
            let mass = s.topP * w.reduce(0, +)
            var kept = 0, sum: Float = 0
            while kept < w.count && (kept == 0 || sum < mass) { sum += w[kept]; kept += 1 }
            pool = Array(pool.prefix(kept)); w = Array(w.prefix(kept))
        }
        var u = rng.nextFloat() * w.reduce(0, +)
        for (t, wt) in zip(pool, w) {
            u -= wt
            if u < 0 { return (t, confidence(t)) }
        }
        return (pool.last!, confidence(pool.last!))
    }
}

extension ChildMaskSequence {
    /// A sequence built by a sampler that obeyed the grammar (positions already derived).
    init(validTokens: [UInt8], positions: [OctreeNodePosition], depth: Int) {
        precondition(validTokens.count == positions.count, "one position per token")
        self.depth = depth; tokens = validTokens; self.positions = positions
    }
}
