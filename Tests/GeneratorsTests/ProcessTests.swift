import Foundation
import Support
import TensorCore
import Testing
import Generators

@Suite("Forward process, posterior and parameterizations")
struct ProcessTests {
    let schedule = DiffusionSchedule(.scaledLinear(steps: 200), steps: 200)

    @Test("q(x_t | x₀) samples have mean √ᾱ·x₀ and variance 1 − ᾱ, and equal the closed form value by value")
    func forwardProcessMatchesClosedForm() {
        var rng = SeededRandom(seed: 1)
        let entries = [0, 40, 120, 199], perSample = 20_000
        let x0Values: [Float] = [0.9, -0.5, 0.3, 1.0]
        let x0 = Tensor(x0Values.flatMap { [Float](repeating: $0, count: perSample) }, shape: [4, 1, 100, 200])
        let noise = Tensor.randn(x0.shape, rng: &rng)
        let xt = schedule.noised(x0, at: entries, noise: noise)
        // ᾱ recomputed here from the betas, independently of the schedule's own table.
        let bars = schedule.betas.reduce(into: [Double]()) { acc, b in acc.append((acc.last ?? 1) * (1 - b)) }
        let v = xt.scalars, e = noise.scalars
        for (k, t) in entries.enumerated() {
            let a = bars[t]
            let xs = v[(k * perSample)..<((k + 1) * perSample)].map(Double.init)
            let mean = xs.reduce(0, +) / Double(perSample)
            let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(perSample - 1)
            let sd = (1 - a).squareRoot()
            #expect(Swift.abs(mean - a.squareRoot() * Double(x0Values[k])) < 5 * sd / Double(perSample).squareRoot())
            #expect(Swift.abs(variance / (1 - a) - 1) < 5 * (2 / Double(perSample)).squareRoot())
            for i in stride(from: k * perSample, to: (k + 1) * perSample, by: 997) {
                let exact = a.squareRoot() * Double(x0Values[k]) + sd * Double(e[i])
                #expect(Swift.abs(Double(v[i]) - exact) < 1e-6)
            }
        }
    }

    @Test("the posterior q(x_{t−1} | x_t, x₀) is the Bayes product of q(x_{t−1} | x₀) and q(x_t | x_{t−1})")
    func posteriorIsGaussianProduct() {
        var rng = SeededRandom(seed: 2)
        let entries = [1, 2, 50, 150, 199]
        let x0 = Tensor.uniform([5, 2, 3, 3], -1, 1, rng: &rng), xt = Tensor.randn([5, 2, 3, 3], rng: &rng)
        let mean = schedule.posteriorMean(x0: x0, xt: xt, at: entries).scalars
        let per = 18
        for (k, t) in entries.enumerated() {
            let beta = schedule.betas[t], alpha = 1 - beta
            let barPrev = schedule.betas[0..<t].reduce(1.0) { $0 * (1 - $1) }
            // Prior N(√ᾱ_{t−1}·x₀, 1 − ᾱ_{t−1}) times the likelihood of x_t, N(√α_t·x_{t−1}, β_t).
            let precision = 1 / (1 - barPrev) + alpha / beta
            let variance = 1 / precision
            #expect(Swift.abs(schedule.posteriorVariances[t] / variance - 1) < 1e-12)
            for i in 0..<per {
                let j = k * per + i
                let m = variance * (barPrev.squareRoot() * Double(x0.scalars[j]) / (1 - barPrev) + alpha.squareRoot() * Double(xt.scalars[j]) / beta)
                #expect(Swift.abs(Double(mean[j]) - m) < 2e-6)
            }
        }
        // At t = 0 the posterior is a point mass at x₀.
        let m0 = schedule.posteriorMean(x0: x0, xt: xt, at: [0, 0, 0, 0, 0])
        #expect(schedule.posteriorVariances[0] == 0)
        #expect(zip(m0.scalars, x0.scalars).allSatisfy { Swift.abs($0 - $1) < 1e-6 })
    }

    @Test("min-SNR-γ weights put min(SNR, γ) on the x₀ error, whichever quantity the loss is on, and lie in (0, 1]")
    func minSNRWeightsAreTheX0Weight() {
        var rng = SeededRandom(seed: 9)
        let entries = [0, 10, 60, 120, 199], gamma = 5.0
        let x0 = Tensor.uniform([5, 2, 3, 3], -1, 1, rng: &rng), eps = Tensor.randn([5, 2, 3, 3], rng: &rng)
        let xt = schedule.noised(x0, at: entries, noise: eps)
        let miss = Tensor.randn([5, 2, 3, 3], std: 0.1, rng: &rng)
        func perSample(_ a: Tensor, _ b: Tensor) -> [Double] {
            (0..<5).map { k in (k * 18..<(k + 1) * 18).reduce(0.0) { $0 + Double(a.scalars[$1] - b.scalars[$1]) * Double(a.scalars[$1] - b.scalars[$1]) } }
        }
        for target in PredictionTarget.allCases {
            let truth = schedule.trainingTarget(target, x0: x0, epsilon: eps, at: entries), guess = truth + miss
            let x0Guess = target == .v ? schedule.x0(fromVelocity: guess, xt: xt, at: entries) : schedule.x0(fromEpsilon: guess, xt: xt, at: entries)
            let w = schedule.minSNRWeights(target, gamma: gamma, at: entries)
            let onTarget = perSample(guess, truth), onX0 = perSample(x0Guess, x0)
            for (k, t) in entries.enumerated() {
                let snr = schedule.alphaBars[t] / (1 - schedule.alphaBars[t])
                #expect(w[k] > 0 && w[k] <= 1, "\(target) t = \(t): weight \(w[k])")
                let lhs = Double(w[k]) * onTarget[k], rhs = min(snr, gamma) * onX0[k]
                #expect(Swift.abs(lhs - rhs) <= 2e-3 * rhs, "\(target) t = \(t): \(lhs) vs \(rhs)")
            }
        }
        // Where SNR ≤ γ, ε is unweighted; where SNR ≥ γ, v is weighted γ/(SNR + 1).
        let snrs = entries.map { schedule.alphaBars[$0] / (1 - schedule.alphaBars[$0]) }
        for (k, w) in schedule.minSNRWeights(.epsilon, gamma: gamma, at: entries).enumerated() where snrs[k] <= gamma { #expect(w == 1) }
        for (k, w) in schedule.minSNRWeights(.v, gamma: gamma, at: entries).enumerated() where snrs[k] >= gamma {
            #expect(Swift.abs(Double(w) - gamma / (snrs[k] + 1)) < 1e-6)
        }
    }

    @Test("ε, v and x₀ convert into one another and back")
    func conversionsRoundTrip() {
        var rng = SeededRandom(seed: 3)
        let entries = [0, 20, 100, 180]
        let x0 = Tensor.uniform([4, 3, 4, 4], -1, 1, rng: &rng), eps = Tensor.randn([4, 3, 4, 4], rng: &rng)
        let xt = schedule.noised(x0, at: entries, noise: eps)
        let v = schedule.velocity(x0: x0, epsilon: eps, at: entries)
        func close(_ a: Tensor, _ b: Tensor, _ tol: Float) -> Bool { zip(a.scalars, b.scalars).allSatisfy { Swift.abs($0 - $1) < tol } }
        #expect(close(schedule.x0(fromVelocity: v, xt: xt, at: entries), x0, 1e-5))
        #expect(close(schedule.epsilon(fromVelocity: v, xt: xt, at: entries), eps, 1e-5))
        #expect(close(schedule.x0(fromEpsilon: eps, xt: xt, at: entries), x0, 1e-3))   // 1/√ᾱ ≈ 40 at t = 180
        #expect(close(schedule.epsilon(fromX0: x0, xt: xt, at: entries), eps, 1e-3))   // 1/√(1 − ᾱ) ≈ 100 at t = 0
        // v = √ᾱ·ε − √(1 − ᾱ)·x₀, value by value.
        for (k, t) in entries.enumerated() {
            let a = schedule.sqrtAlphaBars[t], s = schedule.sqrtOneMinusAlphaBars[t]
            for i in (k * 48)..<((k + 1) * 48) {
                #expect(Swift.abs(Double(v.scalars[i]) - (a * Double(eps.scalars[i]) - s * Double(x0.scalars[i]))) < 1e-6)
            }
        }
        // split() with a clip bound b keeps x₀ in [−b, b] and ε consistent with x_t; without one it
        // returns the prediction's x₀ untouched.
        let wild = Tensor.randn([4, 3, 4, 4], std: 5, rng: &rng)
        for bound: Float in [1, 2.5] {
            let (cx0, ceps) = schedule.split(wild, as: .v, xt: xt, at: entries, clip: bound)
            #expect(cx0.scalars.allSatisfy { $0 >= -bound && $0 <= bound })
            #expect(cx0.scalars.contains { Swift.abs($0) == bound })
            #expect(close(schedule.noised(cx0, at: entries, noise: ceps), xt, 1e-4))
        }
        let (free, _) = schedule.split(wild, as: .v, xt: xt, at: entries, clip: nil)
        #expect(free.scalars == schedule.x0(fromVelocity: wild, xt: xt, at: entries).scalars)
    }
}
