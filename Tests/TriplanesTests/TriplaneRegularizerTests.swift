import Foundation
import Support
import Testing
@testable import TensorCore
@testable import Triplanes

/// Fills a [P, C, H, W] tensor from f(p, c, h, w).
func planes(_ p: Int, _ c: Int, _ h: Int, _ w: Int, requiresGrad: Bool = false, _ f: (Int, Int, Int, Int) -> Float) -> Tensor {
    var v = [Float]()
    for a in 0..<p { for b in 0..<c { for y in 0..<h { for x in 0..<w { v.append(f(a, b, y, x)) } } } }
    return Tensor(v, shape: [p, c, h, w], requiresGrad: requiresGrad)
}

/// Central finite-difference check of d(f)/d(x) at a few entries of x, in Float.
func checkGradient(_ x: Tensor, entries: [Int], tolerance: Float, _ f: (Tensor) -> Tensor) {
    x.grad = nil
    f(x).backward()
    let g = x.grad!.scalars
    for i in entries {
        let h: Float = 1e-2
        let saved = x.data[i]
        x.mutableData[i] = saved + h
        let up = withNoGrad { f(x).item }
        x.mutableData[i] = saved - h
        let down = withNoGrad { f(x).item }
        x.mutableData[i] = saved
        let fd = (up - down) / (2 * h)
        #expect(Swift.abs(fd - g[i]) <= tolerance * max(1, Swift.abs(fd)), "entry \(i): autograd \(g[i]) vs finite difference \(fd)")
    }
}

@Suite("NFD's triplane regularizers")
struct TriplaneRegularizerTests {
    @Test("total variation of constant planes is zero and of a ramp is its closed form")
    func totalVariationClosedForms() {
        let flat = planes(3, 4, 8, 8) { _, _, _, _ in 0.7 }
        #expect(TriplaneRegularizers.totalVariation(flat).item < 1e-4)
        // P[p, c, h, w] = a·h: every H difference is a, every W difference 0 →
        // per plane √(C·(H−1)·W·a²) + √0, times 3 planes.
        let a: Float = 0.25
        let ramp = planes(3, 4, 8, 8) { _, _, h, _ in a * Float(h) }
        let expected = 3 * (4 * 7 * 8 * a * a).squareRoot()
        #expect(Swift.abs(TriplaneRegularizers.totalVariation(ramp).item - expected) < 1e-4 * expected)
        // The same ramp along W gives the same value (the two directions are symmetric).
        let rampW = planes(3, 4, 8, 8) { _, _, _, w in a * Float(w) }
        #expect(Swift.abs(TriplaneRegularizers.totalVariation(rampW).item - expected) < 1e-4 * expected)
    }

    @Test("L2 is the sum over planes of each plane's unsquared Frobenius norm")
    func l2ClosedForm() {
        let p = planes(3, 2, 4, 4) { plane, _, _, _ in Float(plane + 1) }
        // Plane k holds (k+1) in 2·4·4 = 32 entries: norm (k+1)·√32.
        let expected = (1 + 2 + 3) * Float(32).squareRoot()
        #expect(Swift.abs(TriplaneRegularizers.l2(p).item - expected) < 1e-4 * expected)
    }

    @Test("TV and L2 gradients agree with finite differences")
    func gradients() {
        var rng = SeededRandom(seed: 3)
        let x = Tensor.randn([3, 2, 5, 5], rng: &rng, requiresGrad: true)
        checkGradient(x, entries: [0, 7, 31, 77, 149], tolerance: 2e-2) { TriplaneRegularizers.totalVariation($0) }
        checkGradient(x, entries: [1, 40, 120], tolerance: 2e-2) { TriplaneRegularizers.l2($0) }
    }

    @Test("EDR is zero for a decoder that ignores position and positive for one that does not")
    func explicitDensity() {
        var rng = SeededRandom(seed: 4)
        let cfg = TriplaneConfig(resolution: 8, channels: 2, hidden: [8])
        let d = TriplaneDecoder(config: cfg, seed: 1)
        let constant = Tensor(zeros: cfg.planeShape)
        #expect(TriplaneRegularizers.explicitDensity(d, planes: [constant], count: 256, rng: &rng).item < 1e-10)
        let bumpy = Tensor.randn(cfg.planeShape, std: 3, rng: &rng)
        #expect(TriplaneRegularizers.explicitDensity(d, planes: [bumpy], count: 256, rng: &rng).item > 1e-6)
    }
}
