import Foundation
import Support
import Testing
@testable import TensorCore

/// One concrete use of an op: inputs, the op under test and its naive oracle.
struct OpInstance {
    var inputs: [Tensor]
    /// Which inputs the backward is checked for (all by default).
    var differentiable: [Bool]
    var op: ([Tensor]) -> Tensor
    var reference: ([Ref]) -> Ref
    /// Forward tolerance relative to max(1, max |reference|).
    var forwardTolerance: Double = 2e-5
    /// Gradient tolerance relative to max(1, max |finite difference|).
    var gradientTolerance: Double = 2e-3
}

/// A row of the op table: a name and a generator of random instances (random shapes, including
/// broadcasting and size-1 edges, drawn from the generator's seed).
struct OpCase: CustomStringConvertible, @unchecked Sendable {
    let name: String
    let make: (inout SeededRandom) -> OpInstance
    var description: String { name }
}

/// Random Float values exactly representable in Double (so both sides see the same inputs).
func randomTensor(_ shape: [Int], _ rng: inout SeededRandom, _ value: (inout SeededRandom) -> Float = { $0.uniform(-2, 2) }) -> Tensor {
    let n = shape.reduce(1, *)
    var vals = [Float](repeating: 0, count: n)
    for i in 0..<n { vals[i] = value(&rng) }
    return Tensor(vals, shape: shape, requiresGrad: true)
}

/// Values with |x| ≥ 0.1 (away from the kinks of relu/abs/clamp at 0).
func awayFromZero(_ rng: inout SeededRandom) -> Float {
    let m = rng.uniform(0.1, 2)
    return rng.nextFloat() < 0.5 ? -m : m
}
func positive(_ rng: inout SeededRandom) -> Float { rng.uniform(0.3, 2.5) }

/// A random dimension: 1 with probability ~1/4 (size-1 edges), else in 2...max.
func randomDim(_ rng: inout SeededRandom, max: Int = 5) -> Int {
    rng.nextFloat() < 0.25 ? 1 : 2 + Int(rng.next() % UInt64(max - 1))
}
func randomShape(_ rng: inout SeededRandom, rank: Int, max: Int = 5) -> [Int] { (0..<rank).map { _ in randomDim(&rng, max: max) } }

/// A shape broadcastable into `shape`: leading axes dropped at random, others kept or set to 1.
func broadcastable(into shape: [Int], _ rng: inout SeededRandom) -> [Int] {
    let drop = Int(rng.next() % UInt64(shape.count + 1))
    return shape.dropFirst(drop).map { rng.nextFloat() < 0.4 ? 1 : $0 }
}

func toRef(_ t: Tensor) -> Ref { Ref(t.shape, t.scalars.map(Double.init)) }

struct OpCheckResult {
    var forwardError = 0.0
    var gradientError = 0.0
    var messages: [String] = []
}

/// Checks one instance: forward against the oracle; backward (seeded with a random upstream
/// gradient w) against central differences of Σ w·oracle(x) in Double, at up to
/// `probesPerInput` randomly chosen elements of each differentiable input.
func checkOp(_ inst: OpInstance, rng: inout SeededRandom, probesPerInput: Int = 24) -> OpCheckResult {
    var res = OpCheckResult()
    for (t, d) in zip(inst.inputs, inst.differentiable) { t.requiresGrad = d; t.grad = nil }
    let out = inst.op(inst.inputs)
    let refIn = inst.inputs.map(toRef)
    let refOut = inst.reference(refIn)
    if out.shape != refOut.shape {
        res.messages.append("shape \(out.shape) ≠ reference \(refOut.shape)")
        return res
    }
    let scale = max(1, refOut.v.map { Swift.abs($0) }.max() ?? 0)
    let got = out.scalars
    for i in 0..<got.count {
        let e = Swift.abs(Double(got[i]) - refOut.v[i]) / scale
        if !(e <= res.forwardError) { res.forwardError = e.isNaN ? .infinity : e }
    }
    if res.forwardError > inst.forwardTolerance { res.messages.append("forward error \(res.forwardError)") }

    guard inst.differentiable.contains(true) else { return res }
    let w = randomTensor(out.shape, &rng) { $0.uniform(-1, 1) }
    w.requiresGrad = false
    let wRef = toRef(w)
    out.backward(w)
    func loss(_ xs: [Ref]) -> Double {
        let y = inst.reference(xs)
        return zip(y.v, wRef.v).reduce(0) { $0 + $1.0 * $1.1 }
    }
    for (k, t) in inst.inputs.enumerated() where inst.differentiable[k] {
        guard let g = t.grad else {
            if t.count > 0 { res.messages.append("input \(k): no gradient") }
            continue
        }
        if g.shape != t.shape { res.messages.append("input \(k): gradient shape \(g.shape) ≠ \(t.shape)"); continue }
        let gv = g.scalars
        let probes = t.count <= probesPerInput ? Array(0..<t.count) : (0..<probesPerInput).map { _ in Int(rng.next() % UInt64(t.count)) }
        var fds: [(Int, Double)] = []
        for p in probes {
            let h = 1e-5 * max(1, Swift.abs(refIn[k].v[p]))
            var plus = refIn, minus = refIn
            plus[k].v[p] += h; minus[k].v[p] -= h
            fds.append((p, (loss(plus) - loss(minus)) / (2 * h)))
        }
        let gscale = max(1, fds.map { Swift.abs($0.1) }.max() ?? 0)
        for (p, fd) in fds {
            let e = Swift.abs(Double(gv[p]) - fd) / gscale
            if !(e <= res.gradientError) { res.gradientError = e.isNaN ? .infinity : e }
        }
    }
    if res.gradientError > inst.gradientTolerance { res.messages.append("gradient error \(res.gradientError)") }
    return res
}

/// Runs `seeds` random instances of a table row and records an issue for each that disagrees.
func checkTableRow(_ c: OpCase, seeds: Int, baseSeed: UInt64, probesPerInput: Int = 24) {
    for seed in 0..<seeds {
        var rng = SeededRandom(seed: baseSeed &+ UInt64(seed) &* 1_000_003 &+ UInt64(c.name.utf8.reduce(0) { $0 &* 31 &+ Int($1) } & 0xffff))
        let inst = c.make(&rng)
        let r = checkOp(inst, rng: &rng, probesPerInput: probesPerInput)
        #expect(r.messages.isEmpty, "\(c.name) seed \(seed) shapes \(inst.inputs.map(\.shape)): \(r.messages.joined(separator: "; "))")
    }
}
