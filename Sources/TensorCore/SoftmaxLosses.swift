import Foundation
import Support

// Softmax, log-softmax and the losses (BCE with logits, MSE, L1, cross-entropy), fused with
// their backward rules. Losses reduce by the mean over all elements (rows for cross-entropy).

/// Runs `body(base, stride)` for each of the `outer·inner` lines of length `n` along one axis.
@inline(__always)
func forEachLine(_ shape: [Int], axis: Int, _ body: @escaping (Int, Int, Int) -> Void) {
    let outer = shape[..<axis].reduce(1, *), n = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
    parallelFor(outer * inner, minChunk: max(1, elementwiseGrain / max(1, n))) { r in
        for l in r { let o = l / inner, i = l % inner; body(o * n * inner + i, inner, n) }
    }
}

extension Tensor {
    /// exp(x − max) / Σ exp(x − max) along `axis` (default last).
    public func softmax(axis: Int = -1) -> Tensor {
        let axis = axis < 0 ? axis + rank : axis
        let y = Tensor(uninitializedShape: shape)
        let px = data, py = y.mutableData
        forEachLine(shape, axis: axis) { base, st, n in
            var m = -Float.infinity
            for j in 0..<n { m = Swift.max(m, px[base + j * st]) }
            var s: Float = 0
            for j in 0..<n { let e = Foundation.exp(px[base + j * st] - m); py[base + j * st] = e; s += e }
            let inv = 1 / s
            for j in 0..<n { py[base + j * st] *= inv }
        }
        // A history-free view of y: capturing `y` would be a reference cycle through its own node.
        let shp = shape, yv = y.detached()
        return y.record("softmax", [self]) { g in
            let gx = Tensor(uninitializedShape: shp)
            let pg = g.data, pgx = gx.mutableData, py = yv.data
            forEachLine(shp, axis: axis) { base, st, n in
                var dot: Float = 0
                for j in 0..<n { dot += pg[base + j * st] * py[base + j * st] }
                for j in 0..<n { let i = base + j * st; pgx[i] = py[i] * (pg[i] - dot) }
            }
            return [gx]
        }
    }

    /// x − logΣexp(x) along `axis` (default last), computed stably.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let axis = axis < 0 ? axis + rank : axis
        let y = Tensor(uninitializedShape: shape)
        let px = data, py = y.mutableData
        forEachLine(shape, axis: axis) { base, st, n in
            var m = -Float.infinity
            for j in 0..<n { m = Swift.max(m, px[base + j * st]) }
            var s: Float = 0
            for j in 0..<n { s += Foundation.exp(px[base + j * st] - m) }
            let lse = m + Foundation.log(s)
            for j in 0..<n { py[base + j * st] = px[base + j * st] - lse }
        }
        let shp = shape, yv = y.detached()   // not `y` (a cycle through its own node)
        return y.record("logSoftmax", [self]) { g in
            let gx = Tensor(uninitializedShape: shp)
            let pg = g.data, pgx = gx.mutableData, py = yv.data
            forEachLine(shp, axis: axis) { base, st, n in
                var s: Float = 0
                for j in 0..<n { s += pg[base + j * st] }
                for j in 0..<n { let i = base + j * st; pgx[i] = pg[i] - Foundation.exp(py[i]) * s }
            }
            return [gx]
        }
    }
}

/// Sums `f(i)` over 0..<n in Double, in parallel chunks (deterministic for a thread count).
func parallelSum(_ n: Int, _ f: (Int) -> Double) -> Double {
    let chunks = max(1, min(64, n / 8192))
    var partial = [Double](repeating: 0, count: chunks)
    partial.withUnsafeMutableBufferPointer { pp in
        let base = pp.baseAddress!
        parallelFor(chunks, minChunk: 1) { r in
            for c in r {
                let lo = c * n / chunks, hi = (c + 1) * n / chunks
                var s = 0.0
                for i in lo..<hi { s += f(i) }
                base[c] = s
            }
        }
    }
    return partial.reduce(0, +)
}

/// Mean binary cross-entropy between `sigmoid(logits)` and `targets` (same shape, values in
/// [0, 1]): mean of max(x,0) − x·t + log(1 + e^−|x|). Gradient to the logits only:
/// (σ(x) − t) / n.
public func bceWithLogits(_ logits: Tensor, _ targets: Tensor) -> Tensor {
    precondition(logits.shape == targets.shape || logits.count == targets.count,
                 "bceWithLogits: logits \(logits.shape) vs targets \(targets.shape)")
    let n = logits.count
    let px = logits.data, pt = targets.data
    let total = parallelSum(n) { i in
        let x = px[i], t = pt[i]
        return Double(Swift.max(x, 0) - x * t + Foundation.log1p(Foundation.exp(-Swift.abs(x))))
    }
    let out = Tensor(scalar: Float(total / Double(Swift.max(n, 1))))
    return out.record("bceWithLogits", [logits, targets]) { g in
        let scale = g.item / Float(Swift.max(n, 1))
        let gx = Tensor(uninitializedShape: logits.shape)
        let pg = gx.mutableData
        parallelFor(n, minChunk: elementwiseGrain) { r in for i in r { pg[i] = scale * (stableSigmoid(px[i]) - pt[i]) } }
        var gt: Tensor? = nil
        if targets.requiresGrad {
            let t = Tensor(uninitializedShape: targets.shape)
            let q = t.mutableData
            for i in 0..<n { q[i] = -scale * px[i] }
            gt = t
        }
        return [gx, gt]
    }
}

/// Mean squared error, mean((a − b)²), gradients to both.
public func mseLoss(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.count == b.count, "mseLoss: \(a.shape) vs \(b.shape)")
    let n = a.count, pa = a.data, pb = b.data
    let total = parallelSum(n) { i in let d = Double(pa[i] - pb[i]); return d * d }
    return Tensor(scalar: Float(total / Double(Swift.max(n, 1)))).record("mse", [a, b]) { g in
        let s = 2 * g.item / Float(Swift.max(n, 1))
        let ga = Tensor(uninitializedShape: a.shape)
        let p = ga.mutableData
        parallelFor(n, minChunk: elementwiseGrain) { r in for i in r { p[i] = s * (pa[i] - pb[i]) } }
        return [ga, b.requiresGrad ? affineKernel(ga, scale: -1, shift: 0).reshaped(b.shape) : nil]
    }
}

/// Mean absolute error, mean|a − b| (subgradient 0 where equal).
public func l1Loss(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.count == b.count, "l1Loss: \(a.shape) vs \(b.shape)")
    let n = a.count, pa = a.data, pb = b.data
    let total = parallelSum(n) { i in Double(Swift.abs(pa[i] - pb[i])) }
    return Tensor(scalar: Float(total / Double(Swift.max(n, 1)))).record("l1", [a, b]) { g in
        let s = g.item / Float(Swift.max(n, 1))
        let ga = Tensor(uninitializedShape: a.shape)
        let p = ga.mutableData
        parallelFor(n, minChunk: elementwiseGrain) { r in
            for i in r { let d = pa[i] - pb[i]; p[i] = d > 0 ? s : (d < 0 ? -s : 0) }
        }
        return [ga, b.requiresGrad ? affineKernel(ga, scale: -1, shift: 0).reshaped(b.shape) : nil]
    }
}

/// Mean cross-entropy of `logits` [N, C] against class `targets` (N values in 0..<C); rows whose
/// target equals `ignoreIndex` are skipped (the mean is over the others; 0 when none is left).
public func crossEntropy(_ logits: Tensor, _ targets: [Int], ignoreIndex: Int? = nil) -> Tensor {
    precondition(logits.rank == 2 && logits.shape[0] == targets.count, "crossEntropy: logits \(logits.shape) for \(targets.count) targets")
    let n = logits.shape[0], c = logits.shape[1]
    for t in targets where t != ignoreIndex { precondition(t >= 0 && t < c, "crossEntropy: target \(t) outside 0..<\(c)") }
    let px = logits.data
    let lse = [Float](unsafeUninitializedCapacity: n) { buf, cnt in
        let b = buf.baseAddress!
        parallelFor(n, minChunk: max(1, elementwiseGrain / max(1, c))) { r in
            for i in r {
                let row = px + i * c
                var m = -Float.infinity
                for j in 0..<c { m = Swift.max(m, row[j]) }
                var s: Float = 0
                for j in 0..<c { s += Foundation.exp(row[j] - m) }
                b[i] = m + Foundation.log(s)
            }
        }
        cnt = n
    }
    var total = 0.0, used = 0
    for i in 0..<n where targets[i] != ignoreIndex { total += Double(lse[i] - px[i * c + targets[i]]); used += 1 }
    let denom = Float(Swift.max(used, 1))
    return Tensor(scalar: Float(total) / denom).record("crossEntropy", [logits]) { g in
        let s = g.item / denom
        let gx = Tensor(zeros: logits.shape)
        let pg = gx.mutableData
        for i in 0..<n where targets[i] != ignoreIndex {
            let row = px + i * c, grow = pg + i * c
            for j in 0..<c { grow[j] = s * Foundation.exp(row[j] - lse[i]) }
            grow[targets[i]] -= s
        }
        return [gx]
    }
}
