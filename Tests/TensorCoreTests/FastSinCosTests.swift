import Foundation
import Support
import Testing
@testable import TensorCore

@Suite("fused sin/cos: the vectorized kernel against libm")
struct FastSinCosTests {
    /// Largest |fast − sin(Double(x))| and the same for cos over `xs`, taken 8 at a time.
    private func worstError(_ xs: [Float]) -> (sin: Double, cos: Double) {
        var ws = 0.0, wc = 0.0
        for i in stride(from: 0, to: xs.count - 7, by: 8) {
            let v = SIMD8<Float>((0..<8).map { xs[i + $0] })
            let (s, c) = simdSinCos(v)
            for l in 0..<8 {
                ws = max(ws, abs(Double(s[l]) - Foundation.sin(Double(v[l]))))
                wc = max(wc, abs(Double(c[l]) - Foundation.cos(Double(v[l]))))
            }
        }
        return (ws, wc)
    }

    @Test("is within 2 ulp of 1 of the exact values on [−4096, 4096], near 0 and next to every multiple of π/2 up to 64π")
    func accurate() {
        var xs = (0..<400_000).map { Float(-4096 + 8192 * Double($0) / 400_000) }
        xs += (0..<8_000).map { Float(Double($0 - 4_000) * 1e-4) }
        for k in -128...128 {
            let m = Float(Double(k) * Double.pi / 2)
            xs += [m.nextDown.nextDown, m.nextDown, m, m.nextUp, m.nextUp.nextUp, m + 1e-3, m - 1e-3, m + 0.78]
        }
        let (s, c) = worstError(xs)
        #expect(s <= 2.4e-7 && c <= 2.4e-7, "worst errors sin \(s), cos \(c)")
    }

    @Test("hands huge, infinite and NaN arguments to libm")
    func outsideTheRange() {
        let v = SIMD8<Float>(1e6, -3e7, .infinity, -.infinity, .nan, 5000, 0.5, -4097)
        let (s, c) = simdSinCos(v)
        for l in [0, 1, 5, 7] {
            #expect(s[l] == Foundation.sin(v[l]) && c[l] == Foundation.cos(v[l]), "lane \(l)")
        }
        #expect(s[2].isNaN && c[2].isNaN && s[3].isNaN && c[3].isNaN && s[4].isNaN && c[4].isNaN)
        #expect(abs(s[6] - Foundation.sin(Float(0.5))) <= 1.2e-7)
    }

    @Test("lays out [..., K] as [..., sin | cos] for any K, rank 0 and an empty last axis included")
    func layout() {
        for k in [1, 7, 8, 13, 32] {
            let x = Tensor((0..<(3 * k)).map { Float($0) * 0.37 - 5 }, shape: [3, k])
            let y = x.sinCos()
            #expect(y.shape == [3, 2 * k])
            let fast = y.scalars, values = x.scalars
            for row in 0..<3 {
                for j in 0..<k {
                    let v = values[row * k + j]
                    #expect(abs(fast[row * 2 * k + j] - Foundation.sin(v)) <= 2.4e-7)
                    #expect(abs(fast[row * 2 * k + k + j] - Foundation.cos(v)) <= 2.4e-7)
                }
            }
        }
        let scalar = Tensor(scalar: 1).sinCos()
        #expect(scalar.shape == [2] && abs(scalar.scalars[0] - Foundation.sin(Float(1))) <= 1.2e-7)
        #expect(Tensor(zeros: [4, 0]).sinCos().shape == [4, 0])
    }
}
