import Foundation
import Support
import Testing
import TensorCore
@testable import NN

@Suite("inverted dropout")
struct DropoutTests {
    @Test("p = 0 returns the input itself and draws nothing")
    func zeroIsIdentity() {
        var rng = SeededRandom(seed: 3)
        let before = rng.state
        let x = Tensor([1, 2, 3], shape: [3])
        #expect(dropout(x, p: 0, rng: &rng) === x)
        #expect(rng.state == before)
    }

    @Test("about a fraction p is zeroed, the rest scaled by exactly 1/(1 − p), one draw per element", arguments: [Float(0.1), 0.5, 0.9])
    func dropsTheRightFraction(p: Float) {
        let n = 100_000
        var rng = SeededRandom(seed: 7)
        let x = Tensor([Float](repeating: 2, count: n), shape: [n / 100, 100])
        let y = dropout(x, p: p, rng: &rng).scalars
        let zeros = y.filter { $0 == 0 }.count
        let sigma = (Double(n) * Double(p) * Double(1 - p)).squareRoot()
        #expect(abs(Double(zeros) - Double(n) * Double(p)) < 5 * sigma)
        #expect(y.allSatisfy { $0 == 0 || $0 == 2 * (1 / (1 - p)) })
        var replay = SeededRandom(seed: 7)
        for _ in 0..<n { _ = replay.next() }
        #expect(rng.state == replay.state)
    }

    @Test("the gradient is the mask: zero where dropped, 1/(1 − p) where kept")
    func gradientIsTheMask() {
        var rng = SeededRandom(seed: 11)
        let x = Tensor((0..<64).map { Float($0) * 0.1 - 3 }, shape: [8, 8], requiresGrad: true)
        let y = dropout(x, p: 0.25, rng: &rng)
        y.sum().backward()
        let g = x.grad!.scalars, out = y.scalars, xs = x.scalars
        for i in 0..<64 {
            #expect(g[i] == 0 || g[i] == Float(1) / 0.75)
            #expect(out[i] == xs[i] * g[i])
        }
    }

    @Test("the same seed draws the same mask")
    func seededMasksRepeat() {
        let x = Tensor([Float](repeating: 1, count: 256), shape: [256])
        var a = SeededRandom(seed: 5), b = SeededRandom(seed: 5)
        #expect(dropout(x, p: 0.3, rng: &a).scalars == dropout(x, p: 0.3, rng: &b).scalars)
    }
}
