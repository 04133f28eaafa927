import Foundation
import Support

// Elementwise arithmetic with NumPy broadcasting, unary maths and activations — forward kernels
// and their backward rules side by side. Kernels are split over `Parallelism.threadCount`
// threads by `parallelFor` once a tensor is larger than `elementwiseGrain` elements.

/// Elements per work chunk for elementwise kernels (below this, ops run on the caller's thread).
let elementwiseGrain = 32_768

// MARK: - Broadcasting

/// NumPy broadcasting of two shapes (right-aligned; a dimension of 1 stretches).
public func broadcastShapes(_ a: [Int], _ b: [Int]) -> [Int] {
    let r = max(a.count, b.count)
    var out = [Int](repeating: 1, count: r)
    for k in 0..<r {
        let da = k < r - a.count ? 1 : a[k - (r - a.count)]
        let db = k < r - b.count ? 1 : b[k - (r - b.count)]
        precondition(da == db || da == 1 || db == 1, "shapes \(a) and \(b) do not broadcast")
        out[k] = da == 1 ? db : da
    }
    return out
}

/// Strides of `shape` seen inside the broadcast shape `out` (0 on stretched or missing axes).
func broadcastStrides(_ shape: [Int], into out: [Int]) -> [Int] {
    let own = Tensor.contiguousStrides(shape)
    let pad = out.count - shape.count
    var s = [Int](repeating: 0, count: out.count)
    for k in 0..<shape.count where shape[k] != 1 { s[k + pad] = own[k] }
    return s
}

@inline(__always)
func binaryKernel(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    let pa = a.data, pb = b.data
    if a.shape == b.shape {
        let out = Tensor(uninitializedShape: a.shape)
        let po = out.mutableData
        parallelFor(a.count, minChunk: elementwiseGrain) { r in
            for i in r { po[i] = f(pa[i], pb[i]) }
        }
        return out
    }
    let shape = broadcastShapes(a.shape, b.shape)
    let out = Tensor(uninitializedShape: shape)
    let po = out.mutableData
    if b.count == 1 && a.count == out.count {
        let s = pb[0]
        parallelFor(a.count, minChunk: elementwiseGrain) { r in for i in r { po[i] = f(pa[i], s) } }
        return out
    }
    if a.count == 1 && b.count == out.count {
        let s = pa[0]
        parallelFor(b.count, minChunk: elementwiseGrain) { r in for i in r { po[i] = f(s, pb[i]) } }
        return out
    }
    let r = shape.count
    let sa = broadcastStrides(a.shape, into: shape), sb = broadcastStrides(b.shape, into: shape)
    let inner = shape[r - 1]
    if inner == 0 || out.count == 0 { return out }
    let rows = out.count / inner
    let ia = sa[r - 1], ib = sb[r - 1]
    parallelFor(rows, minChunk: max(1, elementwiseGrain / inner)) { range in
        for row in range {
            var rem = row, oa = 0, ob = 0
            for k in stride(from: r - 2, through: 0, by: -1) {
                let i = rem % shape[k]; rem /= shape[k]
                oa += i * sa[k]; ob += i * sb[k]
            }
            let o = po + row * inner
            let xa = pa + oa, xb = pb + ob
            if ia == 1 && ib == 1 { for j in 0..<inner { o[j] = f(xa[j], xb[j]) } }
            else if ia == 1 { let s = xb[0]; for j in 0..<inner { o[j] = f(xa[j], s) } }
            else if ib == 1 { let s = xa[0]; for j in 0..<inner { o[j] = f(s, xb[j]) } }
            else { let s = f(xa[0], xb[0]); for j in 0..<inner { o[j] = s } }
        }
    }
    return out
}

@inline(__always)
func unaryKernel(_ a: Tensor, _ f: (Float) -> Float) -> Tensor {
    let out = Tensor(uninitializedShape: a.shape)
    let pa = a.data, po = out.mutableData
    parallelFor(a.count, minChunk: elementwiseGrain) { r in for i in r { po[i] = f(pa[i]) } }
    return out
}

extension Tensor {
    /// Sums `self` down to `target` (undoes broadcasting; the backward of every broadcasting op).
    public func sum(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let pad = rank - target.count
        precondition(pad >= 0, "sum(to:): \(shape) cannot reduce to \(target)")
        var axes: [Int] = Array(0..<pad)
        for k in 0..<target.count where target[k] == 1 && shape[k + pad] != 1 { axes.append(k + pad) }
        return sum(axes: axes, keepDims: true).reshaped(target)
    }

    // Raw (unrecorded) helpers used by backward rules and optimizers.

    /// `self + other` without recording (same count).
    func adding(_ other: Tensor) -> Tensor { binaryKernel(self, other, +) }

    /// `self += other` in place (same count or broadcastable into self); not recorded.
    public func addInPlace(_ other: Tensor, scale: Float = 1) {
        precondition(other.count == count || other.count == 1, "addInPlace: \(other.shape) into \(shape)")
        let p = mutableData, q = other.data
        if other.count == 1 {
            let s = q[0] * scale
            parallelFor(count, minChunk: elementwiseGrain) { r in for i in r { p[i] += s } }
        } else {
            parallelFor(count, minChunk: elementwiseGrain) { r in for i in r { p[i] += scale * q[i] } }
        }
    }

    /// Multiplies every value by `s` in place; not recorded.
    public func scaleInPlace(_ s: Float) {
        let p = mutableData
        parallelFor(count, minChunk: elementwiseGrain) { r in for i in r { p[i] *= s } }
    }
}

// MARK: - Binary arithmetic (broadcasting)

public func + (a: Tensor, b: Tensor) -> Tensor {
    binaryKernel(a, b, +).record("add", [a, b]) { g in [g.sum(to: a.shape), g.sum(to: b.shape)] }
}

public func - (a: Tensor, b: Tensor) -> Tensor {
    binaryKernel(a, b, -).record("sub", [a, b]) { g in
        [g.sum(to: a.shape), b.requiresGrad ? unaryKernel(g.sum(to: b.shape)) { -$0 } : nil]
    }
}

public func * (a: Tensor, b: Tensor) -> Tensor {
    binaryKernel(a, b, *).record("mul", [a, b]) { g in
        [a.requiresGrad ? binaryKernel(g, b, *).sum(to: a.shape) : nil,
         b.requiresGrad ? binaryKernel(g, a, *).sum(to: b.shape) : nil]
    }
}

public func / (a: Tensor, b: Tensor) -> Tensor {
    binaryKernel(a, b, /).record("div", [a, b]) { g in
        [a.requiresGrad ? binaryKernel(g, b, /).sum(to: a.shape) : nil,
         b.requiresGrad ? binaryKernel(binaryKernel(g, a, *), b) { ga, y in -ga / (y * y) }.sum(to: b.shape) : nil]
    }
}

public func + (a: Tensor, s: Float) -> Tensor { unaryKernel(a) { $0 + s }.record("addScalar", [a]) { g in [g] } }
public func + (s: Float, a: Tensor) -> Tensor { a + s }
public func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
public func - (s: Float, a: Tensor) -> Tensor { unaryKernel(a) { s - $0 }.record("rsubScalar", [a]) { g in [unaryKernel(g) { -$0 }] } }
public func * (a: Tensor, s: Float) -> Tensor { unaryKernel(a) { $0 * s }.record("mulScalar", [a]) { g in [unaryKernel(g) { $0 * s }] } }
public func * (s: Float, a: Tensor) -> Tensor { a * s }
public func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
public prefix func - (a: Tensor) -> Tensor { a * -1 }

// MARK: - Unary maths and activations

extension Tensor {
    /// Applies `f` elementwise; `df(x, y)` is the derivative at input x with output y.
    @inline(__always)
    func unaryOp(_ name: String, _ f: (Float) -> Float, _ df: @escaping (Float, Float) -> Float) -> Tensor {
        let y = unaryKernel(self, f)
        let x = self
        return y.record(name, [x]) { g in
            let out = Tensor(uninitializedShape: g.shape)
            let pg = g.data, px = x.data, py = y.data, po = out.mutableData
            parallelFor(g.count, minChunk: elementwiseGrain) { r in for i in r { po[i] = pg[i] * df(px[i], py[i]) } }
            return [out]
        }
    }

    public func exp() -> Tensor { unaryOp("exp", { Foundation.exp($0) }, { _, y in y }) }
    /// Natural log (−inf at 0, NaN below).
    public func log() -> Tensor { unaryOp("log", { Foundation.log($0) }, { x, _ in 1 / x }) }
    public func sqrt() -> Tensor { unaryOp("sqrt", { $0.squareRoot() }, { _, y in 0.5 / y }) }
    public func squared() -> Tensor { unaryOp("square", { $0 * $0 }, { x, _ in 2 * x }) }
    /// |x| (subgradient 0 at 0).
    public func abs() -> Tensor { unaryOp("abs", { Swift.abs($0) }, { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) }) }
    public func sin() -> Tensor { unaryOp("sin", { Foundation.sin($0) }, { x, _ in Foundation.cos(x) }) }
    public func cos() -> Tensor { unaryOp("cos", { Foundation.cos($0) }, { x, _ in -Foundation.sin(x) }) }
    /// x^p for a constant exponent.
    public func pow(_ p: Float) -> Tensor { unaryOp("pow", { Foundation.pow($0, p) }, { x, _ in p * Foundation.pow(x, p - 1) }) }

    /// max(x, 0); gradient 0 at 0 (as PyTorch).
    public func relu() -> Tensor { unaryOp("relu", { $0 > 0 ? $0 : 0 }, { x, _ in x > 0 ? 1 : 0 }) }
    /// 1 / (1 + e^−x), computed without overflow.
    public func sigmoid() -> Tensor { unaryOp("sigmoid", stableSigmoid, { _, y in y * (1 - y) }) }
    public func tanh() -> Tensor { unaryOp("tanh", { Foundation.tanh($0) }, { _, y in 1 - y * y }) }
    /// x·σ(x) (a.k.a. swish).
    public func silu() -> Tensor {
        unaryOp("silu", { $0 * stableSigmoid($0) }, { x, _ in let s = stableSigmoid(x); return s * (1 + x * (1 - s)) })
    }
    /// Exact GELU, x·Φ(x) with the normal CDF via erf (PyTorch's default `approximate='none'`).
    public func gelu() -> Tensor {
        unaryOp("gelu", { 0.5 * $0 * (1 + erff($0 * 0.70710678)) },
                { x, _ in 0.5 * (1 + erff(x * 0.70710678)) + x * 0.39894228 * Foundation.exp(-0.5 * x * x) })
    }
    /// log(1 + e^x), stable for large |x| (PyTorch's threshold 20 form).
    public func softplus() -> Tensor { unaryOp("softplus", stableSoftplus, { x, _ in stableSigmoid(x) }) }
    /// Clamps values to [lo, hi]; gradient 1 inside, 0 outside.
    public func clamped(_ lo: Float, _ hi: Float) -> Tensor {
        unaryOp("clamp", { Swift.min(Swift.max($0, lo), hi) }, { x, _ in x >= lo && x <= hi ? 1 : 0 })
    }
}

@inline(__always) func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
    let e = Foundation.exp(x)
    return e / (1 + e)
}

@inline(__always) func stableSoftplus(_ x: Float) -> Float {
    x > 20 ? x : (x < -20 ? Foundation.exp(x) : Foundation.log1p(Foundation.exp(x)))
}
