import Foundation
import Support
import Testing
@testable import TensorCore

// The op table: every differentiable op, forward against the naive Double oracle
// (Support/Reference.swift) and backward against central finite differences of that oracle, on
// random shapes (broadcasting, size-1 axes) drawn from several seeds.

private func binary(_ name: String, bPositive: Bool = false, _ op: @escaping (Tensor, Tensor) -> Tensor,
                    _ f: @escaping (Double, Double) -> Double) -> OpCase {
    OpCase(name: name) { rng in
        let big = randomShape(&rng, rank: 1 + Int(rng.next() % 4))
        let small = broadcastable(into: big, &rng)
        let swap = rng.nextFloat() < 0.5
        let sa = swap ? small : big, sb = swap ? big : small
        let a = randomTensor(sa, &rng)
        let b = bPositive ? randomTensor(sb, &rng, positive) : randomTensor(sb, &rng)
        return OpInstance(inputs: [a, b], differentiable: [true, true], op: { op($0[0], $0[1]) },
                          reference: { Ref.zipWith($0[0], $0[1], f) })
    }
}

private func unary(_ name: String, domain: @escaping (inout SeededRandom) -> Float = { $0.uniform(-2, 2) },
                   _ op: @escaping (Tensor) -> Tensor, _ f: @escaping (Double) -> Double) -> OpCase {
    OpCase(name: name) { rng in
        let x = randomTensor(randomShape(&rng, rank: 1 + Int(rng.next() % 3)), &rng, domain)
        return OpInstance(inputs: [x], differentiable: [true], op: { op($0[0]) }, reference: { $0[0].map(f) })
    }
}

private func randomAxes(_ rank: Int, _ rng: inout SeededRandom) -> [Int] {
    var ax = (0..<rank).filter { _ in rng.nextFloat() < 0.5 }
    if ax.isEmpty { ax = [Int(rng.next() % UInt64(rank))] }
    // Sometimes negative spelling.
    return ax.map { rng.nextFloat() < 0.3 ? $0 - rank : $0 }
}

private func matmulCase(_ name: String, batch: [Int]?, shared: Bool) -> OpCase {
    OpCase(name: name) { rng in
        let m = randomDim(&rng, max: 6), k = randomDim(&rng, max: 6), n = randomDim(&rng, max: 6)
        let ta = rng.nextFloat() < 0.5, tb = rng.nextFloat() < 0.5
        let bd = batch ?? []
        let a = randomTensor(bd + (ta ? [k, m] : [m, k]), &rng)
        let b = randomTensor((shared ? [] : bd) + (tb ? [n, k] : [k, n]), &rng)
        return OpInstance(inputs: [a, b], differentiable: [true, true],
                          op: { matmul($0[0], $0[1], transposeA: ta, transposeB: tb) },
                          reference: { Ref.matmul($0[0], $0[1], ta: ta, tb: tb) })
    }
}

let coreOpTable: [OpCase] = [
    binary("add (broadcasting)", +, +),
    binary("sub (broadcasting)", -, -),
    binary("mul (broadcasting)", *, *),
    binary("div (broadcasting)", bPositive: true, /, /),
    unary("add scalar", { $0 + 0.75 }, { $0 + 0.75 }),
    unary("scalar minus", { 2 - $0 }, { 2 - $0 }),
    unary("mul scalar", { $0 * -1.5 }, { $0 * -1.5 }),
    unary("div scalar", { $0 / 4 }, { $0 / 4 }),
    unary("negate", { -$0 }, { -$0 }),
    unary("exp", { $0.exp() }, { Foundation.exp($0) }),
    unary("log", domain: positive, { $0.log() }, { Foundation.log($0) }),
    unary("sqrt", domain: positive, { $0.sqrt() }, { $0.squareRoot() }),
    unary("square", { $0.squared() }, { $0 * $0 }),
    unary("abs", domain: awayFromZero, { $0.abs() }, { Swift.abs($0) }),
    unary("sin", { $0.sin() }, { Foundation.sin($0) }),
    unary("cos", { $0.cos() }, { Foundation.cos($0) }),
    OpCase(name: "sin and cos fused (Fourier features)") { rng in
        let x = randomTensor(randomShape(&rng, rank: 1 + Int(rng.next() % 3)), &rng) { $0.uniform(-9, 9) }
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].sinCos() },
                          reference: { r in Ref.concat([r[0].map(Foundation.sin), r[0].map(Foundation.cos)], axis: r[0].shape.count - 1) })
    },
    unary("pow 1.5", domain: positive, { $0.pow(1.5) }, { Foundation.pow($0, 1.5) }),
    unary("relu", domain: awayFromZero, { $0.relu() }, { max($0, 0) }),
    unary("sigmoid", { $0.sigmoid() }, refSigmoid),
    unary("tanh", { $0.tanh() }, { Foundation.tanh($0) }),
    unary("silu", { $0.silu() }, { $0 * refSigmoid($0) }),
    unary("gelu (exact)", { $0.gelu() }, { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }),
    unary("softplus", domain: { $0.uniform(-25, 25) }, { $0.softplus() }, { Foundation.log1p(Foundation.exp($0)) }),
    unary("clamp", domain: { rng in let m = rng.uniform(0, 0.9); return rng.nextFloat() < 0.5 ? (rng.nextFloat() < 0.5 ? m : -m) : (rng.nextFloat() < 0.5 ? 1.1 + m : -1.1 - m) },
          { $0.clamped(-1, 1) }, { min(max($0, -1), 1) }),

    OpCase(name: "sum over axes") { rng in
        let x = randomTensor(randomShape(&rng, rank: 1 + Int(rng.next() % 4)), &rng)
        let ax = randomAxes(x.rank, &rng), keep = rng.nextFloat() < 0.5
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].sum(axes: ax, keepDims: keep) },
                          reference: { $0[0].sum(axes: ax, keepDims: keep) })
    },
    OpCase(name: "sum of everything") { rng in
        let x = randomTensor(randomShape(&rng, rank: 1 + Int(rng.next() % 4)), &rng)
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].sum() },
                          reference: { $0[0].sum(axes: Array(0..<$0[0].rank), keepDims: false) })
    },
    OpCase(name: "mean over axes") { rng in
        let x = randomTensor(randomShape(&rng, rank: 1 + Int(rng.next() % 4)), &rng)
        let ax = randomAxes(x.rank, &rng), keep = rng.nextFloat() < 0.5
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].mean(axes: ax, keepDims: keep) },
                          reference: { $0[0].mean(axes: ax, keepDims: keep) })
    },
    OpCase(name: "variance over axes") { rng in
        var shape = randomShape(&rng, rank: 1 + Int(rng.next() % 3))
        shape[0] = max(shape[0], 2)
        let x = randomTensor(shape, &rng)
        let ax = [0] + randomAxes(x.rank, &rng).filter { $0 != 0 && $0 != -x.rank }
        let keep = rng.nextFloat() < 0.5, unbiased = rng.nextFloat() < 0.5
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].variance(axes: ax, keepDims: keep, unbiased: unbiased) },
                          reference: { $0[0].variance(axes: ax, keepDims: keep, unbiased: unbiased) })
    },
    OpCase(name: "expand (broadcast copy)") { rng in
        let big = randomShape(&rng, rank: 1 + Int(rng.next() % 4))
        let x = randomTensor(broadcastable(into: big, &rng), &rng)
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].expanded(to: big) }, reference: { $0[0].expand(big) })
    },
    OpCase(name: "sum to a broadcast source shape") { rng in
        let big = randomShape(&rng, rank: 1 + Int(rng.next() % 4))
        let small = broadcastable(into: big, &rng)
        let x = randomTensor(big, &rng)
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].sum(to: small) }, reference: { r in
            let pad = big.count - small.count
            var axes = Array(0..<pad)
            for k in 0..<small.count where small[k] == 1 && big[k + pad] != 1 { axes.append(k + pad) }
            return r[0].sum(axes: axes, keepDims: true).reshaped(small)
        })
    },

    OpCase(name: "reshape") { rng in
        let s = randomShape(&rng, rank: 1 + Int(rng.next() % 4))
        let x = randomTensor(s, &rng)
        let target = [-1, s.last!]
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].reshaped(target) * 2 },
                          reference: { $0[0].reshaped([x.count / s.last!, s.last!]).map { 2 * $0 } })
    },
    OpCase(name: "permute") { rng in
        let r = 2 + Int(rng.next() % 3)
        let x = randomTensor(randomShape(&rng, rank: r), &rng)
        var perm = Array(0..<r)
        perm.shuffle(using: &rng)
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].permuted(perm) }, reference: { $0[0].permuted(perm) })
    },
    OpCase(name: "transpose last two axes") { rng in
        let x = randomTensor(randomShape(&rng, rank: 2 + Int(rng.next() % 2)), &rng)
        let r = x.rank
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].transposed() },
                          reference: { $0[0].permuted(Array(0..<(r - 2)) + [r - 1, r - 2]) })
    },
    OpCase(name: "slice along an axis") { rng in
        let s = randomShape(&rng, rank: 1 + Int(rng.next() % 3), max: 6)
        let x = randomTensor(s, &rng)
        let axis = Int(rng.next() % UInt64(s.count))
        let lo = Int(rng.next() % UInt64(s[axis])), hi = lo + 1 + Int(rng.next() % UInt64(s[axis] - lo))
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].slice(axis: axis, lo..<hi) * 3 },
                          reference: { $0[0].slice(axis: axis, lo..<hi).map { 3 * $0 } })
    },
    OpCase(name: "concat along an axis") { rng in
        let s = randomShape(&rng, rank: 1 + Int(rng.next() % 3))
        let axis = Int(rng.next() % UInt64(s.count))
        let parts = (0..<(2 + Int(rng.next() % 2))).map { _ -> Tensor in
            var p = s; p[axis] = randomDim(&rng, max: 4); return randomTensor(p, &rng)
        }
        return OpInstance(inputs: parts, differentiable: parts.map { _ in true }, op: { Tensor.concat($0, axis: axis) },
                          reference: { Ref.concat($0, axis: axis) })
    },
    OpCase(name: "embedding lookup (repeated rows accumulate)") { rng in
        let v = randomDim(&rng, max: 6), d = randomDim(&rng, max: 5)
        let w = randomTensor([v, d], &rng)
        let idx = (0..<(1 + Int(rng.next() % 7))).map { _ in Int(rng.next() % UInt64(v)) }
        return OpInstance(inputs: [w], differentiable: [true], op: { embedding($0[0], idx) }, reference: { r in
            Ref([idx.count, d], idx.flatMap { i in Array(r[0].v[(i * d)..<((i + 1) * d)]) })
        })
    },

    matmulCase("matmul 2-D (all transpose flags)", batch: nil, shared: true),
    matmulCase("matmul with a shared right operand", batch: [2, 3], shared: true),
    matmulCase("batched matmul", batch: [3], shared: false),
    matmulCase("batched matmul, two batch axes", batch: [2, 2], shared: false),
    OpCase(name: "linear (x·Wᵀ + b)") { rng in
        let nIn = randomDim(&rng, max: 6), nOut = randomDim(&rng, max: 6)
        let lead = randomShape(&rng, rank: 1 + Int(rng.next() % 2))
        let useBias = rng.nextFloat() < 0.7
        let x = randomTensor(lead + [nIn], &rng), w = randomTensor([nOut, nIn], &rng), b = randomTensor([nOut], &rng)
        let inputs = useBias ? [x, w, b] : [x, w]
        return OpInstance(inputs: inputs, differentiable: inputs.map { _ in true },
                          op: { linear($0[0], $0[1], useBias ? $0[2] : nil) },
                          reference: { r in
                              let y = Ref.matmul(r[0], r[1], tb: true)
                              return useBias ? Ref.zipWith(y, r[2], +) : y
                          })
    },

    OpCase(name: "softmax along an axis") { rng in
        let x = randomTensor(randomShape(&rng, rank: 1 + Int(rng.next() % 3)), &rng) { $0.uniform(-4, 4) }
        let axis = Int(rng.next() % UInt64(x.rank)) - (rng.nextFloat() < 0.5 ? x.rank : 0)
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].softmax(axis: axis) }, reference: { $0[0].softmax(axis: axis, log: false) })
    },
    OpCase(name: "log-softmax along an axis") { rng in
        let x = randomTensor(randomShape(&rng, rank: 1 + Int(rng.next() % 3)), &rng) { $0.uniform(-4, 4) }
        let axis = Int(rng.next() % UInt64(x.rank))
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].logSoftmax(axis: axis) }, reference: { $0[0].softmax(axis: axis, log: true) })
    },

    OpCase(name: "BCE with logits (mean)") { rng in
        let s = randomShape(&rng, rank: 1 + Int(rng.next() % 3))
        let x = randomTensor(s, &rng) { $0.uniform(-30, 30) }, t = randomTensor(s, &rng) { $0.nextFloat() }
        return OpInstance(inputs: [x, t], differentiable: [true, true], op: { bceWithLogits($0[0], $0[1]) }, reference: { r in
            let l = zip(r[0].v, r[1].v).map { x, t in max(x, 0) - x * t + log1p(exp(-Swift.abs(x))) }
            return scalarRef(l.reduce(0, +) / Double(l.count))
        })
    },
    OpCase(name: "MSE loss") { rng in
        let s = randomShape(&rng, rank: 1 + Int(rng.next() % 3))
        let a = randomTensor(s, &rng), b = randomTensor(s, &rng)
        return OpInstance(inputs: [a, b], differentiable: [true, true], op: { mseLoss($0[0], $0[1]) }, reference: { r in
            scalarRef(zip(r[0].v, r[1].v).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(r[0].count))
        })
    },
    OpCase(name: "L1 loss") { rng in
        let s = randomShape(&rng, rank: 1 + Int(rng.next() % 3))
        let b = randomTensor(s, &rng)
        let a = Tensor(zip(b.scalars, (0..<b.count).map { _ in awayFromZero(&rng) }).map { $0 + $1 }, shape: s)
        return OpInstance(inputs: [a, b], differentiable: [true, true], op: { l1Loss($0[0], $0[1]) }, reference: { r in
            scalarRef(zip(r[0].v, r[1].v).reduce(0) { $0 + Swift.abs($1.0 - $1.1) } / Double(r[0].count))
        })
    },
    OpCase(name: "cross-entropy with an ignored class") { rng in
        let n = randomDim(&rng, max: 6), c = randomDim(&rng, max: 6)
        let x = randomTensor([n, c], &rng) { $0.uniform(-3, 3) }
        var targets = (0..<n).map { _ in Int(rng.next() % UInt64(c)) }
        if n > 1 { targets[0] = -100 }
        return OpInstance(inputs: [x], differentiable: [true], op: { crossEntropy($0[0], targets, ignoreIndex: -100) }, reference: { r in
            var s = 0.0, used = 0
            let ls = r[0].softmax(axis: 1, log: true)
            for i in 0..<n where targets[i] != -100 { s -= ls.v[i * c + targets[i]]; used += 1 }
            return scalarRef(used == 0 ? 0 : s / Double(used))
        })
    },
]

@Suite("op table: forward vs naive oracle, backward vs finite differences")
struct OpTableTests {
    @Test("every core op agrees with its oracle on random shapes", arguments: coreOpTable)
    func coreOp(_ c: OpCase) {
        checkTableRow(c, seeds: 5, baseSeed: 1000)
    }
}
