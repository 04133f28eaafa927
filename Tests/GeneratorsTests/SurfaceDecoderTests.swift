import Foundation
import NN
import Support
import TensorCore
import Testing
import TestSupport
import Generators

/// Points in one 3-cell row whose label is inside iff the point's x offset from the centre cell is
/// below `cut`: a field the decoder can only learn from the offsets, blended across cells.
private struct HalfSpace: SurfaceExamples {
    let cut: Float
    let xs: [Float]
    init(count: Int, cut: Float) {
        self.cut = cut
        var rng = SeededRandom(seed: 11)
        xs = (0..<count).map { _ in rng.nextFloat() * 2 - 1 }
    }
    var count: Int { xs.count }
    var fingerprint: String { var h = FNV1a(); for x in xs { h.mix(UInt64(x.bitPattern)) }; return h.hex }
    /// Cells −1, 0, 1, 2 along x (patches one-hot of width 4); a point at x ∈ [−1, 1] cells from
    /// cell 0's centre reads cells ⌊x⌋, ⌊x⌋ + 1 (each corner pair repeated over y and z, weight ½·…).
    func examples(_ indices: [Int]) -> (query: PatchQuery, targets: [Float]) {
        var q = PatchQuery(patchWidth: 4)
        for c in 0..<4 { q.patches += (0..<4).map { $0 == c ? 1 : 0 } }
        for i in indices {
            let x = xs[i], base = Int(x.rounded(.down)), t = x - Float(base)
            for k in 0..<8 {
                let dx = k >> 2
                q.cellOfRow.append(base + dx + 1)
                q.weights.append((dx == 1 ? t : 1 - t) / 4)
                q.offsets += [x - Float(base + dx), 0, 0]
            }
        }
        return (q, indices.map { xs[$0] < cut ? 1 : 0 })
    }
}

private func config(steps: Int) -> SurfaceDecoderConfig {
    var c = SurfaceDecoderConfig(radius: 0, inputs: 4)
    c.hidden = [16, 16]; c.batchSize = 64; c.totalSteps = steps; c.warmupSteps = 5; c.learningRate = 1e-2; c.seed = 2
    return c
}

@Suite("Surface decoder (the octree generator's learned surface stage)")
struct SurfaceDecoderTests {
    @Test("a point's logit is the trilinear blend of its cells' head outputs on relu(code + offset map), as a naive loop computes it")
    func naiveOracle() {
        var rng = SeededRandom(seed: 4)
        var c = SurfaceDecoderConfig(radius: 0, inputs: 6); c.hidden = [5, 4]
        let net = SurfaceDecoder(c, rng: &rng)
        var q = PatchQuery(patchWidth: 6)
        q.patches = (0..<18).map { _ in rng.nextFloat() }
        for _ in 0..<(2 * 8) {
            q.cellOfRow.append(Int(rng.next() % 3)); q.weights.append(rng.nextFloat() / 4)
            q.offsets += [rng.nextFloat() * 2 - 1, rng.nextFloat() * 2 - 1, rng.nextFloat() * 2 - 1]
        }
        let got = withNoGrad { net(q).scalars }
        let wp = net.patch.weight.scalars, bp = net.patch.bias!.scalars, wo = net.offset.weight.scalars
        let layers = net.head.layers.map { ($0.weight.scalars, $0.bias!.scalars, $0.outFeatures, $0.inFeatures) }
        for p in 0..<2 {
            var expected: Float = 0
            for k in 0..<8 {
                let r = p * 8 + k, cell = q.cellOfRow[r]
                var h = (0..<5).map { j in
                    max(0, bp[j] + (0..<6).map { wp[j * 6 + $0] * q.patches[cell * 6 + $0] }.reduce(0, +)
                        + (0..<3).map { wo[j * 3 + $0] * q.offsets[r * 3 + $0] }.reduce(0, +))
                }
                for (li, (w, b, out, inp)) in layers.enumerated() {
                    h = (0..<out).map { j in
                        let v = b[j] + (0..<inp).map { w[j * inp + $0] * h[$0] }.reduce(0, +)
                        return li + 1 < layers.count ? max(0, v) : v
                    }
                }
                expected += q.weights[r] * h[0]
            }
            #expect(abs(got[p] - expected) < 1e-5)
        }
    }

    @Test("training learns a cut that only the offsets reveal, and the loss falls")
    func learnsHalfSpace() throws {
        let data = HalfSpace(count: 512, cut: 0.3)
        let trainer = try SurfaceDecoderTrainer(config: config(steps: 300), data: data)
        for _ in 0..<300 { trainer.trainStep() }
        let first = trainer.losses.prefix(10).reduce(0, +) / 10, last = trainer.losses.suffix(10).reduce(0, +) / 10
        #expect(last < 0.3 * first)
        let file = SurfaceDecoderFile(trainer)
        let (q, targets) = data.examples(Array(0..<512))
        let logits = file.logits(q)
        let wrong = zip(logits, targets).filter { ($0 > 0) != ($1 > 0.5) }.count
        #expect(wrong < 20)
    }

    @Test("a resumed run equals an uninterrupted one bit for bit; another config or other data are refused")
    func resume() throws {
        let data = HalfSpace(count: 256, cut: 0)
        let straight = try SurfaceDecoderTrainer(config: config(steps: 20), data: data)
        for _ in 0..<20 { straight.trainStep() }
        let path = try TemporaryDirectory("surface").file("state.safetensors")
        let first = try SurfaceDecoderTrainer(config: config(steps: 20), data: data)
        for _ in 0..<8 { first.trainStep() }
        try first.checkpoint(to: path)
        let second = try SurfaceDecoderTrainer(config: config(steps: 20), data: data)
        try second.resume(from: path)
        while second.step < 20 { second.trainStep() }
        #expect(second.losses == straight.losses)
        #expect(zip(second.model.parameters, straight.model.parameters).allSatisfy { $0.scalars == $1.scalars })
        var other = config(steps: 20); other.hidden = [8, 16]
        #expect(throws: GeneratorError.self) { try SurfaceDecoderTrainer(config: other, data: data).resume(from: path) }
        #expect(throws: GeneratorError.self) { try SurfaceDecoderTrainer(config: config(steps: 20), data: HalfSpace(count: 255, cut: 0)).resume(from: path) }
        // The model file (F16, as shipped) loads with its config; a model file of another kind is refused.
        let model = try TemporaryDirectory("surface").file("model.safetensors")
        try SurfaceDecoderFile(second).save(to: model, dtype: .f16)
        #expect(try SurfaceDecoderFile.load(model).config == config(steps: 20))
        #expect(throws: GeneratorError.self) { try OctreeModelFile.load(model) }
    }

    @Test("configs out of range are refused naming the value")
    func badConfig() {
        var c = config(steps: 10); c.hidden = []
        #expect(throws: GeneratorError.self) { try c.validate() }
        c = config(steps: 10); c.radius = 7
        #expect(throws: GeneratorError.self) { try c.validate() }
        #expect(throws: GeneratorError.self) { try SurfaceDecoderTrainer(config: config(steps: 10), data: HalfSpace(count: 0, cut: 0)) }
    }
}
