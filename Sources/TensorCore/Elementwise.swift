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

/// A binary arithmetic op as a type, so kernels specialize on it (a closure parameter would be an
/// indirect call per element inside the parallel loop).
public protocol BinaryFloatOp { static func apply(_ a: Float, _ b: Float) -> Float }
public enum AddOp: BinaryFloatOp { @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
public enum SubOp: BinaryFloatOp { @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
public enum MulOp: BinaryFloatOp { @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
public enum DivOp: BinaryFloatOp { @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
/// −a/b² (the divisor's gradient of a/b, given a = g·numerator).
enum NegDivSquareOp: BinaryFloatOp { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { -a / (b * b) } }

/// `Op` applied elementwise with NumPy broadcasting (right-aligned shapes, size-1 axes stretch),
/// specialized on `Op`; parallel over rows of the output's last axis.
@inline(__always)
func binaryKernel<Op: BinaryFloatOp>(_ a: Tensor, _ b: Tensor, _: Op.Type) -> Tensor {
    let pa = a.data, pb = b.data
    if a.shape == b.shape {
        let out = Tensor(uninitializedShape: a.shape)
        let po = out.mutableData
        parallelFor(a.count, minChunk: elementwiseGrain) { r in for i in r { po[i] = Op.apply(pa[i], pb[i]) } }
        return out
    }
    let shape = broadcastShapes(a.shape, b.shape)
    let out = Tensor(uninitializedShape: shape)
    if out.count == 0 { return out }
    let po = out.mutableData
    if b.count == 1 && a.count == out.count {
        let s = pb[0]
        parallelFor(a.count, minChunk: elementwiseGrain) { r in for i in r { po[i] = Op.apply(pa[i], s) } }
        return out
    }
    if a.count == 1 && b.count == out.count {
        let s = pa[0]
        parallelFor(b.count, minChunk: elementwiseGrain) { r in for i in r { po[i] = Op.apply(s, pb[i]) } }
        return out
    }
    let r = shape.count
    let sa = broadcastStrides(a.shape, into: shape), sb = broadcastStrides(b.shape, into: shape)
    let inner = shape[r - 1]
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
            if ia == 1 && ib == 1 { for j in 0..<inner { o[j] = Op.apply(xa[j], xb[j]) } }
            else if ia == 1 { let s = xb[0]; for j in 0..<inner { o[j] = Op.apply(xa[j], s) } }
            else if ib == 1 { let s = xa[0]; for j in 0..<inner { o[j] = Op.apply(s, xb[j]) } }
            else { let s = Op.apply(xa[0], xb[0]); for j in 0..<inner { o[j] = s } }
        }
    }
    return out
}

/// y = a·scale + shift elementwise (scalar arithmetic without a per-element closure call).
func affineKernel(_ a: Tensor, scale: Float, shift: Float) -> Tensor {
    let out = Tensor(uninitializedShape: a.shape)
    let pa = a.data, po = out.mutableData
    parallelFor(a.count, minChunk: elementwiseGrain) { r in for i in r { po[i] = pa[i] * scale + shift } }
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
    func adding(_ other: Tensor) -> Tensor { binaryKernel(self, other, AddOp.self) }

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
    binaryKernel(a, b, AddOp.self).record("add", [a, b]) { g in [g.sum(to: a.shape), g.sum(to: b.shape)] }
}

public func - (a: Tensor, b: Tensor) -> Tensor {
    binaryKernel(a, b, SubOp.self).record("sub", [a, b]) { g in
        [g.sum(to: a.shape), b.requiresGrad ? affineKernel(g.sum(to: b.shape), scale: -1, shift: 0) : nil]
    }
}

public func * (a: Tensor, b: Tensor) -> Tensor {
    binaryKernel(a, b, MulOp.self).record("mul", [a, b]) { g in
        [a.requiresGrad ? binaryKernel(g, b, MulOp.self).sum(to: a.shape) : nil,
         b.requiresGrad ? binaryKernel(g, a, MulOp.self).sum(to: b.shape) : nil]
    }
}

public func / (a: Tensor, b: Tensor) -> Tensor {
    binaryKernel(a, b, DivOp.self).record("div", [a, b]) { g in
        [a.requiresGrad ? binaryKernel(g, b, DivOp.self).sum(to: a.shape) : nil,
         b.requiresGrad ? binaryKernel(binaryKernel(g, a, MulOp.self), b, NegDivSquareOp.self).sum(to: b.shape) : nil]
    }
}

public func + (a: Tensor, s: Float) -> Tensor { affineKernel(a, scale: 1, shift: s).record("addScalar", [a]) { g in [g] } }
public func + (s: Float, a: Tensor) -> Tensor { a + s }
public func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
public func - (s: Float, a: Tensor) -> Tensor {
    affineKernel(a, scale: -1, shift: s).record("rsubScalar", [a]) { g in [affineKernel(g, scale: -1, shift: 0)] }
}
public func * (a: Tensor, s: Float) -> Tensor {
    affineKernel(a, scale: s, shift: 0).record("mulScalar", [a]) { g in [affineKernel(g, scale: s, shift: 0)] }
}
public func * (s: Float, a: Tensor) -> Tensor { a * s }
public func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
public prefix func - (a: Tensor) -> Tensor { a * -1 }

// MARK: - Unary maths and activations

extension Tensor {
    /// Applies `f` elementwise; `df(x, y)` is the derivative at input x with output y.
    @inline(__always)
    func unaryOp(_ name: String, _ f: (Float) -> Float, _ df: @escaping (Float, Float) -> Float) -> Tensor {
        let y = unaryKernel(self, f)
        // The backward reads y through a history-free view: capturing `y` itself would make a
        // reference cycle (y → its node → this closure → y) that leaks the whole graph behind it.
        let x = self, yv = y.detached()
        return y.record(name, [x]) { g in
            let out = Tensor(uninitializedShape: g.shape)
            let pg = g.data, px = x.data, py = yv.data, po = out.mutableData
            parallelFor(g.count, minChunk: elementwiseGrain) { r in for i in r { po[i] = pg[i] * df(px[i], py[i]) } }
            return [out]
        }
    }

    /// Applies `Op` elementwise (specialized kernels, forward and backward).
    @inline(__always)
    func unaryOp<Op: UnaryFloatOp>(_ name: String, _: Op.Type) -> Tensor {
        let y = Tensor(uninitializedShape: shape)
        let px = data, py = y.mutableData
        parallelFor(count, minChunk: elementwiseGrain) { r in for i in r { py[i] = Op.f(px[i]) } }
        let x = self, yv = y.detached()   // not `y`: see above
        return y.record(name, [x]) { g in
            let out = Tensor(uninitializedShape: g.shape)
            let pg = g.data, px = x.data, py = yv.data, po = out.mutableData
            parallelFor(g.count, minChunk: elementwiseGrain) { r in for i in r { po[i] = pg[i] * Op.df(px[i], py[i]) } }
            return [out]
        }
    }

    public func exp() -> Tensor { unaryOp("exp", ExpOp.self) }
    /// Natural log (−inf at 0, NaN below).
    public func log() -> Tensor { unaryOp("log", LogOp.self) }
    public func sqrt() -> Tensor { unaryOp("sqrt", SqrtOp.self) }
    public func squared() -> Tensor { unaryOp("square", SquareOp.self) }
    /// |x| (subgradient 0 at 0).
    public func abs() -> Tensor { unaryOp("abs", AbsOp.self) }
    public func sin() -> Tensor { unaryOp("sin", SinOp.self) }
    public func cos() -> Tensor { unaryOp("cos", CosOp.self) }
    /// x^p for a constant exponent.
    public func pow(_ p: Float) -> Tensor { unaryOp("pow", { Foundation.pow($0, p) }, { x, _ in p * Foundation.pow(x, p - 1) }) }

    /// max(x, 0); gradient 0 at 0 (as PyTorch).
    public func relu() -> Tensor { unaryOp("relu", ReLUOp.self) }
    /// 1 / (1 + e^−x), computed without overflow.
    public func sigmoid() -> Tensor { unaryOp("sigmoid", SigmoidOp.self) }
    public func tanh() -> Tensor { unaryOp("tanh", TanhOp.self) }
    // silu() (x·σ(x)): vectorized, in FastSiLU.swift.
    /// Exact GELU, x·Φ(x) with the normal CDF via erf (PyTorch's default `approximate='none'`).
    public func gelu() -> Tensor { unaryOp("gelu", GELUOp.self) }
    /// log(1 + e^x), stable for large |x| (PyTorch's threshold 20 form).
    public func softplus() -> Tensor { unaryOp("softplus", SoftplusOp.self) }
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

/// A pointwise function with its derivative `df(x, y)` (at input x with output y), as a type so
/// kernels specialize on it.
public protocol UnaryFloatOp {
    static func f(_ x: Float) -> Float
    static func df(_ x: Float, _ y: Float) -> Float
}
enum ExpOp: UnaryFloatOp { @inline(__always) static func f(_ x: Float) -> Float { Foundation.exp(x) }; @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { y } }
enum LogOp: UnaryFloatOp { @inline(__always) static func f(_ x: Float) -> Float { Foundation.log(x) }; @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 1 / x } }
enum SqrtOp: UnaryFloatOp { @inline(__always) static func f(_ x: Float) -> Float { x.squareRoot() }; @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 0.5 / y } }
enum SquareOp: UnaryFloatOp { @inline(__always) static func f(_ x: Float) -> Float { x * x }; @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 2 * x } }
enum AbsOp: UnaryFloatOp { @inline(__always) static func f(_ x: Float) -> Float { Swift.abs(x) }; @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) } }
enum SinOp: UnaryFloatOp { @inline(__always) static func f(_ x: Float) -> Float { Foundation.sin(x) }; @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { Foundation.cos(x) } }
enum CosOp: UnaryFloatOp { @inline(__always) static func f(_ x: Float) -> Float { Foundation.cos(x) }; @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { -Foundation.sin(x) } }
enum ReLUOp: UnaryFloatOp { @inline(__always) static func f(_ x: Float) -> Float { x > 0 ? x : 0 }; @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : 0 } }
enum SigmoidOp: UnaryFloatOp { @inline(__always) static func f(_ x: Float) -> Float { stableSigmoid(x) }; @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { y * (1 - y) } }
enum TanhOp: UnaryFloatOp { @inline(__always) static func f(_ x: Float) -> Float { Foundation.tanh(x) }; @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 1 - y * y } }
enum SiLUOp: UnaryFloatOp {
    @inline(__always) static func f(_ x: Float) -> Float { x * stableSigmoid(x) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { let s = stableSigmoid(x); return s * (1 + x * (1 - s)) }
}
enum GELUOp: UnaryFloatOp {
    @inline(__always) static func f(_ x: Float) -> Float { 0.5 * x * (1 + erff(x * 0.70710678)) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 0.5 * (1 + erff(x * 0.70710678)) + x * 0.39894228 * Foundation.exp(-0.5 * x * x) }
}
enum SoftplusOp: UnaryFloatOp { @inline(__always) static func f(_ x: Float) -> Float { stableSoftplus(x) }; @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { stableSigmoid(x) } }
