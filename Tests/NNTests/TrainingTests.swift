import Foundation
import Support
import Testing
import TestSupport
@testable import NN
@testable import TensorCore

@Suite("layers, optimizers and training utilities")
struct TrainingTests {
    @Test("an MLP fits sin(3x) on [-1, 1] to a small error")
    func mlpFits1D() {
        var rng = SeededRandom(seed: 11)
        let mlp = MLP([1, 32, 32, 1], activation: .tanh, rng: &rng)
        let xs = (0..<128).map { Float($0) / 63.5 - 1 }
        let x = Tensor(xs, shape: [128, 1])
        let y = Tensor(xs.map { Foundation.sin(3 * $0) }, shape: [128, 1])
        let opt = Adam(mlp.parameters, learningRate: 1e-2)
        let initial = withNoGrad { mseLoss(mlp(x), y).item }
        var loss: Float = 0
        for _ in 0..<600 {
            opt.zeroGrad()
            let l = mseLoss(mlp(x), y)
            l.backward()
            opt.step()
            loss = l.item
        }
        #expect(initial > 0.1)
        #expect(loss < 2e-3, "final MSE \(loss)")
    }

    @Test("Adam's first two steps match the update computed by hand")
    func adamByHand() {
        let p = Tensor([1, -2], requiresGrad: true)
        let opt = Adam([p], learningRate: 0.1)
        p.grad = Tensor([0.5, 4])
        opt.step()
        // Step 1: m̂ = g, v̂ = g², so each value moves by lr·sign(g) (up to ε).
        #expect(Swift.abs(p.scalars[0] - 0.9) < 1e-6 && Swift.abs(p.scalars[1] - -2.1) < 1e-6)
        p.grad = Tensor([-1, 4])
        opt.step()
        // Step 2 for the first value, written out in Double.
        let m = 0.9 * 0.05 + 0.1 * -1.0, v = 0.999 * 0.00025 + 0.001 * 1.0
        let mh = m / (1 - 0.81), vh = v / (1 - 0.998001)
        let expected = 0.9 - 0.1 * mh / (vh.squareRoot() + 1e-8)
        #expect(Swift.abs(Double(p.scalars[0]) - expected) < 1e-6, "\(p.scalars[0]) vs \(expected)")
        // A constant gradient keeps moving by lr per step.
        #expect(Swift.abs(p.scalars[1] - -2.2) < 1e-6)
    }

    @Test("AdamW decays weights before the Adam update; Adam's L2 goes through the moments")
    func adamW() {
        let p = Tensor([2], requiresGrad: true), q = Tensor([2], requiresGrad: true)
        let w = Adam.adamW([p], learningRate: 0.1, weightDecay: 0.5)
        let l2 = Adam([q], learningRate: 0.1, weightDecay: 0.5)
        p.grad = Tensor([1]); q.grad = Tensor([1])
        w.step(); l2.step()
        #expect(Swift.abs(p.item - (2 * (1 - 0.05) - 0.1)) < 1e-6)
        #expect(Swift.abs(q.item - (2 - 0.1)) < 1e-6)   // g + wd·p = 2 > 0: still one lr step
    }

    @Test("SGD with momentum and Nesterov follow PyTorch's recurrences")
    func sgd() {
        let p = Tensor([1], requiresGrad: true), q = Tensor([1], requiresGrad: true)
        let a = SGD([p], learningRate: 0.1, momentum: 0.9), b = SGD([q], learningRate: 0.1, momentum: 0.9, nesterov: true)
        for g in [Float(1), 2] { p.grad = Tensor([g]); q.grad = Tensor([g]); a.step(); b.step() }
        // v1 = 1, v2 = 0.9 + 2 = 2.9 → p = 1 − 0.1 − 0.29.
        #expect(Swift.abs(p.item - 0.61) < 1e-6)
        // Nesterov: 1 − 0.1·(1 + 0.9) − 0.1·(2 + 0.9·2.9).
        #expect(Swift.abs(q.item - (1 - 0.19 - 0.461)) < 1e-6)
    }

    @Test("gradient-norm clipping scales to the limit and reports the norm")
    func clipping() {
        let a = Tensor([0, 0], requiresGrad: true), b = Tensor([0], requiresGrad: true)
        a.grad = Tensor([3, 0]); b.grad = Tensor([4])
        let n = clipGradNorm([a, b], maxNorm: 1)
        #expect(Swift.abs(n - 5) < 1e-6)
        #expect(Swift.abs(a.grad!.scalars[0] - 0.6) < 1e-5 && Swift.abs(b.grad!.item - 0.8) < 1e-5)
        #expect(Swift.abs(clipGradNorm([a, b], maxNorm: 10) - 1) < 1e-4)
        #expect(Swift.abs(a.grad!.scalars[0] - 0.6) < 1e-5)
        clipGradValue([a, b], limit: 0.7)
        #expect(b.grad!.item == 0.7)
    }

    @Test("EMA tracks the weights geometrically")
    func ema() {
        let p = Tensor([0], requiresGrad: true)
        let e = EMA([p], decay: 0.5)
        p.assign(Tensor([8])); e.update()   // 4
        e.update()                           // 6
        #expect(e.shadow[0].item == 6)
        e.copyToParameters()
        #expect(p.item == 6)
    }

    @Test("warmup rises linearly, cosine decays to the floor and stays")
    func schedule() {
        let s = WarmupCosineSchedule(peak: 1, floor: 0.1, warmupSteps: 4, totalSteps: 14)
        #expect(s.learningRate(at: 0) == 0.25 && s.learningRate(at: 3) == 1)
        #expect(Swift.abs(s.learningRate(at: 9) - 0.55) < 1e-6)   // halfway through the cosine
        #expect(s.learningRate(at: 14) == 0.1 && s.learningRate(at: 100) == 0.1)
        let values = (4..<14).map(s.learningRate(at:))
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 > $1 })
    }

    @Test("a checkpoint restores an MLP exactly; a wrong-shaped one changes nothing")
    func checkpoint() throws {
        var rng = SeededRandom(seed: 1)
        let a = MLP([3, 8, 2], rng: &rng), b = MLP([3, 8, 2], rng: &rng), c = MLP([3, 9, 2], rng: &rng)
        let tmp = try TemporaryDirectory("nn-ckpt"); defer { tmp.remove() }
        let path = tmp.path + "/ckpt.safetensors"
        try a.saveCheckpoint(to: path, metadata: ["epoch": "3"])
        #expect(try b.loadCheckpoint(from: path) == ["epoch": "3"])
        for (x, y) in zip(a.parameters, b.parameters) { #expect(x.scalars == y.scalars) }
        #expect(a.namedParameters.map(\.0) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"])
        let before = c.parameters.map(\.scalars)
        #expect(throws: SafetensorsError.self) { try c.loadCheckpoint(from: path) }
        #expect(c.parameters.map(\.scalars) == before)
    }
}
