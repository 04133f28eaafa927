import Foundation
import NN
import Support
import TensorCore
import Testing
import TestSupport
@testable import Generators

/// The child-mask sequence of the octree whose depth-`depth` surface cells are those where
/// `occupied(x, y, z)` holds.
func sequence(depth: Int, _ occupied: (Int, Int, Int) -> Bool) throws -> ChildMaskSequence {
    let n = 1 << depth
    var leaves: [OctreeNodePosition] = []
    for x in 0..<n { for y in 0..<n { for z in 0..<n where occupied(x, y, z) { leaves.append(OctreeNodePosition(depth: depth, x: x, y: y, z: z)) } } }
    return try ChildMaskSequence(tokens: ChildMaskSequence(leaves: leaves, depth: depth).tokens, depth: depth)
}

/// A sphere shell of radius `r` (in cells of depth `depth`) around the grid's centre.
func shell(depth: Int, radius r: Double) throws -> ChildMaskSequence {
    let c = Double(1 << depth) / 2
    return try sequence(depth: depth) { x, y, z in
        let d = ((Double(x) + 0.5 - c) * (Double(x) + 0.5 - c) + (Double(y) + 0.5 - c) * (Double(y) + 0.5 - c) + (Double(z) + 0.5 - c) * (Double(z) + 0.5 - c)).squareRoot()
        return abs(d - r) < 0.9
    }
}

private func tinyModel(depth: Int = 3, embed: Int = 16, heads: Int = 2, layers: Int = 2, classes: Int = 2, context: Int = 512, seed: UInt64 = 3) -> OctreeTransformer {
    var rng = SeededRandom(seed: seed)
    return OctreeTransformer(OctreeTransformerConfig(depth: depth, contextLength: context, embedDim: embed, heads: heads, layers: layers, mlpRatio: 2, classCount: classes), rng: &rng)
}

private func rows(_ t: Tensor, _ b: Int = 0) -> [[Float]] {
    let l = t.shape[1], v = t.shape[2], s = t.scalars
    return (0..<l).map { i in Array(s[((b * l + i) * v)..<((b * l + i + 1) * v)]) }
}

private func maxDiff(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }

/// The slots of `s` as parallel mode sees them with every token known.
private func parallelSlots(_ s: ChildMaskSequence, label: Int = 0, upTo depth: Int = .max) -> [OctreeSlot] {
    [.prefix(label: label)] + zip(s.tokens, s.positions).filter { $0.1.depth <= depth }.map { .node(token: Int($0.0), position: $0.1) }
}

/// A plain-loop forward of one sequence (no batching, no masks as arrays, no BLAS): the oracle.
private func naiveLogits(_ model: OctreeTransformer, _ slots: [OctreeSlot], mode: OctreeDecoding) -> [[Float]] {
    let p = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.0, $0.1.scalars) })
    let c = model.config, e = c.embedDim, h = c.heads, dh = e / h, hid = c.mlpRatio * e
    func row(_ name: String, _ r: Int) -> [Float] { Array(p[name]![(r * e)..<((r + 1) * e)]) }
    func ln(_ x: [Float], _ name: String) -> [Float] {
        let mean = x.reduce(0, +) / Float(x.count)
        let v = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(x.count)
        return x.indices.map { (x[$0] - mean) / (v + 1e-5).squareRoot() * p[name + ".weight"]![$0] + p[name + ".bias"]![$0] }
    }
    func lin(_ x: [Float], _ name: String, out: Int) -> [Float] {
        let w = p[name + ".weight"]!, b = p[name + ".bias"]!
        return (0..<out).map { o in b[o] + x.indices.reduce(Float(0)) { $0 + w[o * x.count + $1] * x[$1] } }
    }
    var x: [[Float]] = slots.map { s in
        let r: (Int, Int, Int, Int, Int, Int)
        switch s {
        case let .prefix(label): r = (258 + label, c.depth, c.axisRows - 1, c.axisRows - 1, c.axisRows - 1, 0)
        case let .node(t, q): let o = (1 << q.depth) - 1; r = (t, q.depth, o + q.x, o + q.y, o + q.z, 0)
        }
        let m = mode == .nextToken ? 0 : 1
        return (0..<e).map { k in row("token_emb", r.0)[k] + row("depth_emb", r.1)[k] + row("x_emb", r.2)[k] + row("y_emb", r.3)[k] + row("z_emb", r.4)[k] + row("mode_emb", m)[k] }
    }
    func depth(_ s: OctreeSlot) -> Int { if case let .node(_, q) = s { return q.depth } else { return -1 } }
    for l in 0..<c.layers {
        let b = "blocks.\(l)."
        let qkv = x.map { lin(ln($0, b + "ln1"), b + "attn.in_proj", out: 3 * e) }
        var att = [[Float]](repeating: [Float](repeating: 0, count: e), count: x.count)
        for i in x.indices {
            let keys = x.indices.filter { j in j == 0 || (mode == .nextToken ? j <= i : depth(slots[j]) <= depth(slots[i])) }
            for hh in 0..<h {
                let scores = keys.map { j in (0..<dh).reduce(Float(0)) { $0 + qkv[i][hh * dh + $1] * qkv[j][e + hh * dh + $1] } / Float(dh).squareRoot() }
                let mx = scores.max()!, w = scores.map { Foundation.exp($0 - mx) }, z = w.reduce(0, +)
                for (k, j) in keys.enumerated() { for q in 0..<dh { att[i][hh * dh + q] += w[k] / z * qkv[j][2 * e + hh * dh + q] } }
            }
        }
        for i in x.indices {
            let o = lin(att[i], b + "attn.out_proj", out: e)
            x[i] = x[i].indices.map { x[i][$0] + o[$0] }
            let f = lin(ln(x[i], b + "ln2"), b + "fc1", out: hid).map { 0.5 * $0 * (1 + erff($0 * 0.70710678)) }
            let g = lin(f, b + "fc2", out: e)
            x[i] = x[i].indices.map { x[i][$0] + g[$0] }
        }
    }
    return x.dropFirst().map { lin(ln($0, "ln_f"), "head", out: 256) }
}

@Suite("Octree transformer")
struct OctreeTransformerTests {
    @Test("positions follow from the child masks; zero, trailing and truncated sequences are refused naming the token")
    func sequenceGrammar() throws {
        let s = try ChildMaskSequence(tokens: [0b1000_0001, 0b0000_0010, 0b1000_0000], depth: 2)
        #expect(s.positions == [.root, OctreeNodePosition(depth: 1, x: 0, y: 0, z: 0), OctreeNodePosition(depth: 1, x: 1, y: 1, z: 1)])
        #expect(s.leaves == [OctreeNodePosition(depth: 2, x: 0, y: 0, z: 1), OctreeNodePosition(depth: 2, x: 3, y: 3, z: 3)])
        #expect(throws: GeneratorError.invalidSequence(position: 1, reason: "child mask 0 (a leaf above depth 2)")) {
            try ChildMaskSequence(tokens: [1, 0], depth: 2)
        }
        #expect(throws: GeneratorError.self) { try ChildMaskSequence(tokens: [1, 1, 1], depth: 2) }   // trailing
        #expect(throws: GeneratorError.self) { try ChildMaskSequence(tokens: [3, 1], depth: 2) }      // truncated
        let sphere = try shell(depth: 4, radius: 5)
        #expect(sphere.count > 50 && sphere.positions.allSatisfy { $0.depth < 4 })
        #expect(ChildMaskSequence(leaves: sphere.leaves.reversed(), depth: 4) == sphere)
        let wedge = try sequence(depth: 3) { x, y, z in x + y == z }
        #expect(wedge.mirroredX() != wedge && wedge.mirroredX().mirroredX() == wedge)
        #expect(Set(wedge.mirroredX().leaves.map { [7 - $0.x, $0.y, $0.z] }) == Set(wedge.leaves.map { [$0.x, $0.y, $0.z] }))
    }

    @Test("the batched forward equals a plain-loop oracle in both modes, padding included")
    func forwardMatchesNaiveOracle() throws {
        let model = tinyModel(depth: 3, embed: 8, heads: 2, layers: 2)
        let s = try shell(depth: 3, radius: 2.2)
        let next = OctreeTrainer.nextTokenExample(s, label: 1)
        let par = OctreeTrainer.parallelExample(s, label: 0, depth: 1, masked: [2, 4])
        let logits = model([next.slots, par.slots], modes: [.nextToken, .parallel])
        for (b, ex) in [next, par].enumerated() {
            let got = rows(logits, b), want = naiveLogits(model, ex.slots, mode: ex.mode)
            for i in want.indices { #expect(maxDiff(got[i], want[i]) < 2e-4, "\(ex.mode) slot \(i)") }
        }
    }

    @Test("next-token mode: changing a later token never changes earlier logits")
    func nextTokenCausality() throws {
        let model = tinyModel()
        let s = try shell(depth: 3, radius: 2.2)
        let base = OctreeTrainer.nextTokenExample(s, label: 0)
        let before = rows(model([base.slots], modes: [.nextToken]))
        for k in [0, 3, s.count / 2, s.count - 2] {
            var changed = base.slots
            guard case let .node(t, p) = changed[k + 2] else { Issue.record("slot \(k + 2) is not a node"); continue }
            changed[k + 2] = .node(token: (t + 77) % 256, position: p)   // the input of node k + 1 is token k
            let after = rows(model([changed], modes: [.nextToken]))
            for i in 0...k { #expect(after[i] == before[i], "node \(i) changed when token \(k) did") }
            #expect(maxDiff(after[k + 1], before[k + 1]) > 1e-4, "node \(k + 1) must see token \(k)")
        }
    }

    @Test("parallel mode: a token is seen by its whole depth (both directions) and by finer depths, never by coarser ones")
    func parallelVisibility() throws {
        let model = tinyModel()
        let s = try shell(depth: 3, radius: 2.2)
        let slots = parallelSlots(s)
        let before = rows(model([slots], modes: [.parallel]))
        let depth1 = s.positions.indices.filter { s.positions[$0].depth == 1 }
        let k = depth1[depth1.count / 2]
        var changed = slots
        guard case let .node(_, p) = changed[k + 1] else { Issue.record("not a node"); return }
        changed[k + 1] = .node(token: OctreeTransformerConfig.maskToken, position: p)
        let after = rows(model([changed], modes: [.parallel]))
        for i in s.positions.indices {
            if s.positions[i].depth < 1 { #expect(after[i] == before[i], "coarser node \(i) saw a depth-1 token") }
            else { #expect(maxDiff(after[i], before[i]) > 1e-5, "node \(i) (depth \(s.positions[i].depth)) did not see node \(k)") }
        }
        // Every (query, key) pair of the mask is exactly the rule: prefix, or a coarser or equal depth.
        let m = OctreeTransformer.mask(slots, .parallel, length: slots.count)
        for i in slots.indices { for j in slots.indices {
            #expect(m[i * slots.count + j] == (j == 0 || slots[j].depth <= slots[i].depth))
        } }
    }

    @Test("the key-value cache gives the full forward's logits, token by token and depth by depth")
    func cacheMatchesFullForward() throws {
        let model = tinyModel(classes: 3)
        let s = try shell(depth: 3, radius: 2.2)
        let ex = OctreeTrainer.nextTokenExample(s, label: 2)
        let full = rows(model([ex.slots], modes: [.nextToken]))
        let cache = model.makeCache(capacity: ex.slots.count)
        _ = model.cachedLogits([ex.slots[0]], mode: .nextToken, cache: cache, commit: true)
        for i in 1..<ex.slots.count {
            let step = model.cachedLogits([ex.slots[i]], mode: .nextToken, cache: cache, commit: true).scalars
            #expect(maxDiff(step, full[i - 1]) < 1e-4, "next-token slot \(i)")
        }
        // Parallel: coarser depths committed, the current one re-run (with a [MASK]) uncommitted.
        let pcache = model.makeCache(capacity: ex.slots.count)
        _ = model.cachedLogits([.prefix(label: 2)], mode: .parallel, cache: pcache, commit: true)
        for d in 0..<3 {
            let idx = s.positions.indices.filter { s.positions[$0].depth == d }
            var slots = parallelSlots(s, label: 2, upTo: d)
            slots[idx[0] + 1] = .node(token: OctreeTransformerConfig.maskToken, position: s.positions[idx[0]])
            let full = rows(model([slots], modes: [.parallel]))
            let step = model.cachedLogits(idx.map { slots[$0 + 1] }, mode: .parallel, cache: pcache, commit: false)
            for (r, i) in idx.enumerated() { #expect(maxDiff(Array(step.scalars[(r * 256)..<((r + 1) * 256)]), full[i]) < 1e-4, "depth \(d) node \(i)") }
            _ = model.cachedLogits(idx.map { parallelSlots(s, label: 2)[$0 + 1] }, mode: .parallel, cache: pcache, commit: true)
        }
    }

    @Test("the training loss's gradient matches central finite differences")
    func gradientCheck() throws {
        let model = tinyModel(depth: 2, embed: 8, heads: 2, layers: 1)
        let s = try sequence(depth: 2) { x, y, z in x == y && z <= 1 }
        let trainerBatch = [OctreeTrainer.nextTokenExample(s, label: 1), OctreeTrainer.parallelExample(s, label: 0, depth: 1, masked: [1])]
        func loss() -> OctreeTransformerTests.LossBox {
            let t = OctreeTrainer.loss(model, trainerBatch)
            return LossBox(value: t.item, tensor: t)
        }
        model.zeroGrad()
        loss().tensor.backward()
        let named = Dictionary(uniqueKeysWithValues: model.namedParameters)
        for (name, index) in [("token_emb", 258 * 8 + 3), ("x_emb", 1 * 8 + 2), ("blocks.0.attn.in_proj.weight", 5), ("blocks.0.attn.in_proj.weight", 8 * 9 + 1),
                              ("blocks.0.fc1.weight", 7), ("head.weight", 2 * 8 + 5), ("blocks.0.ln1.weight", 4)] {
            let p = named[name]!
            let analytic = p.grad!.scalars[index]
            let h: Float = 2e-3, old = p.scalars[index]
            p.withMutableBuffer { $0[index] = old + h }
            let up = withNoGrad { loss().value }
            p.withMutableBuffer { $0[index] = old - h }
            let down = withNoGrad { loss().value }
            p.withMutableBuffer { $0[index] = old }
            let numeric = (up - down) / (2 * h)
            #expect(abs(numeric - analytic) <= 2e-3 + 0.03 * abs(numeric), "\(name)[\(index)]: analytic \(analytic), numeric \(numeric)")
        }
    }
    struct LossBox { var value: Float; var tensor: Tensor }

    @Test("a tiny model memorizes one shape's sequence and greedy decoding regenerates it exactly, next-token and parallel")
    func memorizesOneShape() throws {
        let s = try shell(depth: 3, radius: 2.2)
        var config = OctreeTrainingConfig(model: OctreeTransformerConfig(depth: 3, contextLength: 128, embedDim: 32, heads: 2, layers: 2, mlpRatio: 2, classCount: 2))
        config.batchSize = 8; config.learningRate = 3e-3; config.warmupSteps = 10; config.totalSteps = 300
        config.weightDecay = 0; config.emaDecay = 0.95; config.seed = 1
        let other = try shell(depth: 3, radius: 1.2)
        let trainer = try OctreeTrainer(config: config, data: OctreeSequenceDataset(sequences: [s, other], labels: [0, 1]))
        for _ in 0..<config.totalSteps { trainer.trainStep() }
        let early: Float = trainer.losses.prefix(5).reduce(0, +) / 5, late: Float = trainer.losses.suffix(10).reduce(0, +) / 10
        #expect(late < 0.05 * early, "loss \(early) → \(late)")
        let net = trainer.emaModel()
        for decoding in OctreeDecoding.allCases {
            var rng = SeededRandom(seed: 9)
            let sampler = OctreeSampler(model: net, settings: OctreeSamplerSettings(decoding: decoding, temperature: 0, stepsPerDepth: 4))
            #expect(sampler.sample(label: 0, rng: &rng) == s, "\(decoding), class 0")
            #expect(sampler.sample(label: 1, rng: &rng) == other, "\(decoding), class 1")
        }
    }

    @Test("sampled sequences always decode: non-zero masks only, and never past the context")
    func samplesAreAlwaysValid() throws {
        let model = tinyModel(depth: 4, classes: 1, context: 40, seed: 11)
        for decoding in OctreeDecoding.allCases {
            var rng = SeededRandom(seed: 4)
            let sampler = OctreeSampler(model: model, settings: OctreeSamplerSettings(decoding: decoding, temperature: 1.5, topK: 0, stepsPerDepth: 3))
            for _ in 0..<12 {
                let s = sampler.sample(label: 0, rng: &rng)
                let reparsed = try ChildMaskSequence(tokens: s.tokens, depth: 4)
                #expect(reparsed == s && s.count <= 40 && s.count >= 4, "\(decoding): \(s.count) tokens")
            }
        }
        #expect(ChildMaskSequence.maxChildren(depth: 2, structureDepth: 5, maxTokens: 60, nodesThroughDepth: 40, fixedChildren: 3, undecided: 3) == 4)
        #expect(ChildMaskSequence.maxChildren(depth: 4, structureDepth: 5, maxTokens: 10, nodesThroughDepth: 10, fixedChildren: 99, undecided: 9) == 8)
    }

    @Test("top-p keeps the smallest most probable set reaching the mass and renormalizes within it; top-p 1 draws exactly as before")
    func nucleusSampling() {
        // Allowed masks 1, 2, 3 with probabilities 0.5, 0.3, 0.15; the rest share 0.05.
        var logits = [Float](repeating: Foundation.log(0.05 / 252), count: 256)
        logits[1] = Foundation.log(0.5); logits[2] = Foundation.log(0.3); logits[3] = Foundation.log(0.15)
        func draws(_ settings: OctreeSamplerSettings, _ n: Int = 4000) -> [Int] {
            var rng = SeededRandom(seed: 21)
            return logits.withUnsafeBufferPointer { l in (0..<n).map { _ in OctreeSampler.choose(l.baseAddress!, maxChildren: 8, settings, &rng).token } }
        }
        let nucleus = draws(OctreeSamplerSettings(topP: 0.7))
        #expect(Set(nucleus) == [1, 2], "0.5 < 0.7 ≤ 0.5 + 0.3: masks 1 and 2 only")
        let share = Double(nucleus.filter { $0 == 1 }.count) / Double(nucleus.count)
        #expect(abs(share - 0.5 / 0.8) < 0.03, "renormalized within the nucleus: \(share)")
        #expect(Set(draws(OctreeSamplerSettings(topP: 0.4))) == [1], "below the first mask's mass, the most probable mask only")
        #expect(Set(draws(OctreeSamplerSettings(topK: 2, topP: 0.99))) == [1, 2], "top-k applies first")
        let flat = draws(OctreeSamplerSettings(temperature: 4, topP: 0.7))
        #expect(Set(flat).count > 3, "the nucleus is taken after the temperature: flattened, 0.7 of the mass spans many masks")
        let all = draws(OctreeSamplerSettings(topP: 1)), plain = draws(OctreeSamplerSettings())
        #expect(all == plain && Set(all).count > 3, "top-p 1 is the plain draw, token for token")
        var rng = SeededRandom(seed: 1)
        let confidence = logits.withUnsafeBufferPointer { OctreeSampler.choose($0.baseAddress!, maxChildren: 8, OctreeSamplerSettings(topP: 0.4), &rng).probability }
        #expect(abs(confidence - 0.5) < 1e-4, "the reported probability is the unrestricted one")
    }
}


@Suite("Octree transformer training", .serialized)
struct OctreeTrainerTests {
    static func config() -> OctreeTrainingConfig {
        var c = OctreeTrainingConfig(model: OctreeTransformerConfig(depth: 3, contextLength: 128, embedDim: 16, heads: 2, layers: 1, mlpRatio: 2, classCount: 2))
        c.batchSize = 3; c.warmupSteps = 2; c.totalSteps = 20; c.seed = 7
        return c
    }
    static func data() throws -> OctreeSequenceDataset {
        try OctreeSequenceDataset(sequences: [shell(depth: 3, radius: 2.2), shell(depth: 3, radius: 1.2), shell(depth: 3, radius: 3)], labels: [0, 1, 1])
    }

    @Test("a run resumed from a checkpoint equals the uninterrupted run bit for bit, with and without dropout", arguments: [Float(0), 0.1])
    func resumeIsBitIdentical(dropout: Float) throws {
        var config = Self.config()
        config.dropout = dropout
        let straight = try OctreeTrainer(config: config, data: Self.data())
        for _ in 0..<6 { straight.trainStep() }
        let first = try OctreeTrainer(config: config, data: Self.data())
        for _ in 0..<3 { first.trainStep() }
        let path = try TemporaryDirectory("octree-gpt").file("state.safetensors")
        try first.checkpoint(to: path)
        let resumed = try OctreeTrainer(config: config, data: Self.data())
        try resumed.resume(from: path)
        #expect(resumed.step == 3 && resumed.losses == first.losses)
        for _ in 0..<3 { resumed.trainStep() }
        #expect(resumed.losses.map(\.bitPattern) == straight.losses.map(\.bitPattern))
        if dropout > 0 {   // the masks really are drawn: the same run without dropout has another first loss
            let plain = try OctreeTrainer(config: Self.config(), data: Self.data())
            #expect(plain.trainStep() != straight.losses[0])
        }
        for (a, b) in zip(resumed.model.parameters + resumed.ema.shadow, straight.model.parameters + straight.ema.shadow) {
            #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern))
        }
    }

    @Test("dropout is 0 unless a config sets it; 1 and negative values are refused naming the key")
    func dropoutConfig() throws {
        #expect(Self.config().dropout == 0)
        let path = try TemporaryDirectory("octree-gpt").file("config.json")
        try Data(#"{"model": {"depth": 3, "classCount": 2}, "dropout": 0.1}"#.utf8).write(to: URL(fileURLWithPath: path))
        let c = try OctreeTrainingConfig.load(path)
        #expect(c.dropout == 0.1 && c.model.classCount == 2)
        #expect(try JSONDecoder().decode(OctreeTrainingConfig.self, from: Data(c.json().utf8)) == c)
        for bad: Float in [1, -0.1] {
            var d = Self.config()
            d.dropout = bad
            #expect(throws: GeneratorError.invalidConfig("dropout must lie in [0, 1), got \(bad)")) { try OctreeTrainer(config: d, data: Self.data()) }
        }
    }

    /// A trainer of the test config after one step, and its checkpoint's path.
    static func oneStepCheckpoint() throws -> (OctreeTrainer, String) {
        let trainer = try OctreeTrainer(config: config(), data: data())
        trainer.trainStep()
        let path = try TemporaryDirectory("octree-gpt").file("state.safetensors")
        try trainer.checkpoint(to: path)
        return (trainer, path)
    }

    @Test("a checkpoint written before a config key existed resumes while the run keeps that key's default, and is refused when it does not")
    func checkpointFromBeforeAKeyExisted() throws {
        let (_, path) = try Self.oneStepCheckpoint()
        // Rewrite the checkpoint as a build without `dropout` wrote it: the key absent from its config.
        let file = try Safetensors.read(path)
        var config = try #require(try JSONSerialization.jsonObject(with: Data(file.metadata["config"]!.utf8)) as? [String: Any])
        #expect(config.removeValue(forKey: "dropout") != nil)
        var metadata = file.metadata
        metadata["config"] = String(decoding: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]), as: UTF8.self)
        try Safetensors.write(Dictionary(uniqueKeysWithValues: try file.names.map { ($0, try file.tensor($0)) }), metadata: metadata, to: path)
        let resumed = try OctreeTrainer(config: Self.config(), data: Self.data())
        try resumed.resume(from: path)
        #expect(resumed.step == 1)
        var dropping = Self.config()
        dropping.dropout = 0.1
        #expect(throws: GeneratorError.configMismatch(key: "dropout")) { try OctreeTrainer(config: dropping, data: Self.data()).resume(from: path) }
    }

    @Test("a checkpoint of another config is refused naming the tensor, and changes nothing")
    func otherConfigIsRefused() throws {
        let (trainer, path) = try Self.oneStepCheckpoint()
        var wider = Self.config()
        wider.model.embedDim = 24
        let other = try OctreeTrainer(config: wider, data: Self.data())
        let before = other.model.parameters.map(\.scalars)
        #expect(throws: GeneratorError.checkpointMismatch(tensor: "model.token_emb", expected: [260, 24], found: [260, 16])) { try other.resume(from: path) }
        #expect(other.model.parameters.map(\.scalars) == before && other.step == 0)
        var slower = Self.config()
        slower.learningRate = 5e-4
        #expect(throws: GeneratorError.configMismatch(key: "learningRate")) { try OctreeTrainer(config: slower, data: Self.data()).resume(from: path) }
        // The sampling model file round-trips, and loads from the checkpoint's EMA weights too.
        let modelPath = try TemporaryDirectory("octree-gpt").file("model.safetensors")
        try OctreeModelFile(trainer).save(to: modelPath)
        for p in [modelPath, path] {
            let loaded = try OctreeModelFile.load(p)
            #expect(loaded.config == trainer.config && loaded.step == 1)
            #expect(zip(loaded.network.parameters, trainer.ema.shadow).allSatisfy { $0.scalars == $1.scalars })
        }
    }

    @Test("sequences longer than the context, of another depth, or empty are clear errors")
    func badData() throws {
        var short = Self.config()
        short.model.contextLength = 20
        let data = try Self.data()
        #expect(throws: GeneratorError.sequenceTooLong(index: 0, length: data.sequences[0].count, context: 20)) { try OctreeTrainer(config: short, data: data) }
        var deeper = Self.config()
        deeper.model.depth = 4
        #expect(throws: GeneratorError.self) { try OctreeTrainer(config: deeper, data: data) }
        #expect(throws: GeneratorError.self) { try OctreeSequenceDataset(sequences: [ChildMaskSequence(tokens: [], depth: 3)], labels: [0]) }
    }
}
