import Foundation

// The naive oracle: every tensor op re-implemented in Double with plain index loops, written for
// obviousness rather than speed. The op table compares the optimized Float32 kernels against these,
// and differentiates these by central finite differences to check the backward rules.

/// A dense row-major array of Doubles.
struct Ref {
    var shape: [Int]
    var v: [Double]

    init(_ shape: [Int], _ v: [Double]) {
        precondition(shape.reduce(1, *) == v.count)
        self.shape = shape; self.v = v
    }
    init(zeros shape: [Int]) { self.init(shape, [Double](repeating: 0, count: shape.reduce(1, *))) }

    var count: Int { v.count }
    var rank: Int { shape.count }
    var strides: [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for k in stride(from: shape.count - 1, through: 0, by: -1) { s[k] = acc; acc *= shape[k] }
        return s
    }
    /// Multi-index of flat position `i`.
    func index(_ i: Int) -> [Int] {
        var rem = i
        var idx = [Int](repeating: 0, count: rank)
        for k in stride(from: rank - 1, through: 0, by: -1) { idx[k] = rem % shape[k]; rem /= shape[k] }
        return idx
    }
    func flat(_ idx: [Int]) -> Int { zip(idx, strides).reduce(0) { $0 + $1.0 * $1.1 } }
    subscript(_ idx: [Int]) -> Double {
        get { v[flat(idx)] }
        set { v[flat(idx)] = newValue }
    }

    func map(_ f: (Double) -> Double) -> Ref { Ref(shape, v.map(f)) }

    // MARK: Broadcasting

    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int] {
        let r = max(a.count, b.count)
        return (0..<r).map { k in
            let da = k < r - a.count ? 1 : a[k - (r - a.count)]
            let db = k < r - b.count ? 1 : b[k - (r - b.count)]
            return da == 1 ? db : da
        }
    }
    /// Value of `self` at an index of a larger broadcast shape.
    func at(broadcastIndex idx: [Int]) -> Double {
        let pad = idx.count - rank
        return self[(0..<rank).map { shape[$0] == 1 ? 0 : idx[$0 + pad] }]
    }
    static func zipWith(_ a: Ref, _ b: Ref, _ f: (Double, Double) -> Double) -> Ref {
        var out = Ref(zeros: broadcast(a.shape, b.shape))
        for i in 0..<out.count { let idx = out.index(i); out.v[i] = f(a.at(broadcastIndex: idx), b.at(broadcastIndex: idx)) }
        return out
    }
    func expand(_ target: [Int]) -> Ref {
        var out = Ref(zeros: target)
        for i in 0..<out.count { out.v[i] = at(broadcastIndex: out.index(i)) }
        return out
    }

    // MARK: Reductions

    func sum(axes: [Int], keepDims: Bool) -> Ref {
        let ax = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
        let kept = shape.enumerated().map { ax.contains($0.offset) ? 1 : $0.element }
        var out = Ref(zeros: kept)
        for i in 0..<count {
            var idx = index(i)
            for a in ax { idx[a] = 0 }
            out[idx] += v[i]
        }
        if !keepDims { out.shape = shape.enumerated().filter { !ax.contains($0.offset) }.map(\.element) }
        return out
    }
    func mean(axes: [Int], keepDims: Bool) -> Ref {
        let n = Set(axes.map { $0 < 0 ? $0 + rank : $0 }).reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepDims: keepDims).map { $0 / Double(n) }
    }
    func variance(axes: [Int], keepDims: Bool, unbiased: Bool) -> Ref {
        let n = Set(axes.map { $0 < 0 ? $0 + rank : $0 }).reduce(1) { $0 * shape[$1] }
        let m = mean(axes: axes, keepDims: true)
        let d = Ref.zipWith(self, m) { ($0 - $1) * ($0 - $1) }
        return d.sum(axes: axes, keepDims: keepDims).map { $0 / Double(unbiased ? n - 1 : n) }
    }

    // MARK: Shape ops

    func reshaped(_ s: [Int]) -> Ref { Ref(s, v) }
    func permuted(_ perm: [Int]) -> Ref {
        var out = Ref(zeros: perm.map { shape[$0] })
        for i in 0..<out.count {
            let oi = out.index(i)
            var si = [Int](repeating: 0, count: rank)
            for (k, p) in perm.enumerated() { si[p] = oi[k] }
            out.v[i] = self[si]
        }
        return out
    }
    func slice(axis: Int, _ range: Range<Int>) -> Ref {
        var s = shape; s[axis] = range.count
        var out = Ref(zeros: s)
        for i in 0..<out.count { var idx = out.index(i); idx[axis] += range.lowerBound; out.v[i] = self[idx] }
        return out
    }
    static func concat(_ parts: [Ref], axis: Int) -> Ref {
        var s = parts[0].shape; s[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        var out = Ref(zeros: s)
        var start = 0
        for p in parts {
            for i in 0..<p.count { var idx = p.index(i); idx[axis] += start; out[idx] = p.v[i] }
            start += p.shape[axis]
        }
        return out
    }

    // MARK: Linear algebra

    /// Product of the last two axes; `b` rank 2 is shared across `a`'s batch.
    static func matmul(_ a: Ref, _ b: Ref, ta: Bool = false, tb: Bool = false) -> Ref {
        let a2 = ta ? a.permuted(Array(0..<(a.rank - 2)) + [a.rank - 1, a.rank - 2]) : a
        let b2 = tb ? b.permuted(Array(0..<(b.rank - 2)) + [b.rank - 1, b.rank - 2]) : b
        let m = a2.shape[a2.rank - 2], k = a2.shape[a2.rank - 1], n = b2.shape[b2.rank - 1]
        let batch = a2.count / (m * k)
        var out = Ref(zeros: Array(a2.shape.dropLast(2)) + [m, n])
        for bi in 0..<batch {
            let bo = b2.rank == 2 ? 0 : bi * k * n
            for i in 0..<m { for j in 0..<n {
                var s = 0.0
                for t in 0..<k { s += a2.v[bi * m * k + i * k + t] * b2.v[bo + t * n + j] }
                out.v[bi * m * n + i * n + j] = s
            } }
        }
        return out
    }

    // MARK: Softmax family

    func softmax(axis: Int, log: Bool) -> Ref {
        var out = self
        let ax = axis < 0 ? axis + rank : axis
        for i in 0..<count where index(i)[ax] == 0 {
            let base = index(i)
            var line: [Int] = []
            for j in 0..<shape[ax] { var idx = base; idx[ax] = j; line.append(flat(idx)) }
            let m = line.map { v[$0] }.max()!
            let s = line.reduce(0.0) { $0 + Foundation.exp(v[$1] - m) }
            for f in line { out.v[f] = log ? v[f] - m - Foundation.log(s) : Foundation.exp(v[f] - m) / s }
        }
        return out
    }
}

func scalarRef(_ x: Double) -> Ref { Ref([], [x]) }
func refSigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

/// grid_sample(bilinear, zeros) of planes [P, C, H, W] at points [N, D], per plane axes (u → W,
/// v → H); summed over planes or concatenated. Straight from PyTorch's documented formula.
func refSamplePlanes(_ planes: Ref, _ points: Ref, axes: [(Int, Int)], alignCorners: Bool, concat: Bool) -> Ref {
    let p = planes.shape[0], c = planes.shape[1], h = planes.shape[2], w = planes.shape[3]
    let n = points.shape[0], d = points.shape[1]
    var out = Ref(zeros: [n, concat ? p * c : c])
    func pix(_ x: Double, _ size: Int) -> Double {
        alignCorners ? (x + 1) / 2 * Double(size - 1) : ((x + 1) * Double(size) - 1) / 2
    }
    for i in 0..<n {
        for pl in 0..<p {
            let ix = pix(points.v[i * d + axes[pl].0], w), iy = pix(points.v[i * d + axes[pl].1], h)
            let x0 = Int(ix.rounded(.down)), y0 = Int(iy.rounded(.down))
            let tx = ix - Double(x0), ty = iy - Double(y0)
            for (dx, dy, wt) in [(0, 0, (1 - tx) * (1 - ty)), (1, 0, tx * (1 - ty)), (0, 1, (1 - tx) * ty), (1, 1, tx * ty)] {
                let x = x0 + dx, y = y0 + dy
                guard x >= 0, x < w, y >= 0, y < h else { continue }
                for ch in 0..<c {
                    out.v[i * out.shape[1] + (concat ? pl * c : 0) + ch] += wt * planes[[pl, ch, y, x]]
                }
            }
        }
    }
    return out
}

/// Direct 2-D cross-correlation: x [N, C, H, W], w [O, C, kh, kw], b [O] (optional).
func refConv2d(_ x: Ref, _ w: Ref, _ b: Ref?, stride: Int, pad: Int) -> Ref {
    let n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3]
    let o = w.shape[0], kh = w.shape[2], kw = w.shape[3]
    let ho = (h + 2 * pad - kh) / stride + 1, wo = (wd + 2 * pad - kw) / stride + 1
    var out = Ref(zeros: [n, o, ho, wo])
    for bi in 0..<n { for oc in 0..<o { for oy in 0..<ho { for ox in 0..<wo {
        var s = b?.v[oc] ?? 0
        for ic in 0..<c { for i in 0..<kh { for j in 0..<kw {
            let iy = oy * stride - pad + i, ix = ox * stride - pad + j
            if iy >= 0 && iy < h && ix >= 0 && ix < wd { s += x[[bi, ic, iy, ix]] * w[[oc, ic, i, j]] }
        } } }
        out[[bi, oc, oy, ox]] = s
    } } } }
    return out
}

/// Transposed convolution by scattering: x [N, Ci, H, W], w [Ci, Co, kh, kw].
func refConvTranspose2d(_ x: Ref, _ w: Ref, _ b: Ref?, stride: Int, pad: Int) -> Ref {
    let n = x.shape[0], ci = x.shape[1], h = x.shape[2], wd = x.shape[3]
    let co = w.shape[1], kh = w.shape[2], kw = w.shape[3]
    let ho = (h - 1) * stride - 2 * pad + kh, wo = (wd - 1) * stride - 2 * pad + kw
    var out = Ref(zeros: [n, co, ho, wo])
    for bi in 0..<n { for oc in 0..<co { for oy in 0..<ho { for ox in 0..<wo { out[[bi, oc, oy, ox]] = b?.v[oc] ?? 0 } } } }
    for bi in 0..<n { for ic in 0..<ci { for y in 0..<h { for xx in 0..<wd { for oc in 0..<co { for i in 0..<kh { for j in 0..<kw {
        let oy = y * stride - pad + i, ox = xx * stride - pad + j
        if oy >= 0 && oy < ho && ox >= 0 && ox < wo { out[[bi, oc, oy, ox]] += x[[bi, ic, y, xx]] * w[[ic, oc, i, j]] }
    } } } } } } }
    return out
}

/// GroupNorm from its definition.
func refGroupNorm(_ x: Ref, groups: Int, gamma: Ref?, beta: Ref?, eps: Double) -> Ref {
    let n = x.shape[0], c = x.shape[1], sp = x.count / (n * c), cg = c / groups
    var out = x
    for bi in 0..<n { for g in 0..<groups {
        let idx = (0..<(cg * sp)).map { (bi * c + g * cg) * sp + $0 }
        let m = idx.reduce(0.0) { $0 + x.v[$1] } / Double(idx.count)
        let v = idx.reduce(0.0) { $0 + (x.v[$1] - m) * (x.v[$1] - m) } / Double(idx.count)
        for i in idx {
            let ch = (i / sp) % c
            out.v[i] = (x.v[i] - m) / (v + eps).squareRoot() * (gamma?.v[ch] ?? 1) + (beta?.v[ch] ?? 0)
        }
    } }
    return out
}

func refLayerNorm(_ x: Ref, gamma: Ref?, beta: Ref?, eps: Double) -> Ref {
    let d = x.shape.last!
    var out = x
    for row in 0..<(x.count / d) {
        let vals = x.v[(row * d)..<((row + 1) * d)]
        let m = vals.reduce(0, +) / Double(d)
        let v = vals.reduce(0.0) { $0 + ($1 - m) * ($1 - m) } / Double(d)
        for i in 0..<d { out.v[row * d + i] = (x.v[row * d + i] - m) / (v + eps).squareRoot() * (gamma?.v[i] ?? 1) + (beta?.v[i] ?? 0) }
    }
    return out
}

func refUpsample(_ x: Ref, _ f: Int) -> Ref {
    var out = Ref(zeros: [x.shape[0], x.shape[1], x.shape[2] * f, x.shape[3] * f])
    for i in 0..<out.count { let idx = out.index(i); out.v[i] = x[[idx[0], idx[1], idx[2] / f, idx[3] / f]] }
    return out
}

/// unshuffled[n, c·p² + i·p + j, y, x] = x[n, c, y·p + i, x·p + j], written out index by index.
func refPixelUnshuffle(_ x: Ref, _ p: Int) -> Ref {
    var out = Ref(zeros: [x.shape[0], x.shape[1] * p * p, x.shape[2] / p, x.shape[3] / p])
    for i in 0..<out.count {
        let idx = out.index(i), c = idx[1] / (p * p), a = (idx[1] / p) % p, b = idx[1] % p
        out.v[i] = x[[idx[0], c, idx[2] * p + a, idx[3] * p + b]]
    }
    return out
}

/// shuffled[n, c, y·p + i, x·p + j] = x[n, c·p² + i·p + j, y, x].
func refPixelShuffle(_ x: Ref, _ p: Int) -> Ref {
    var out = Ref(zeros: [x.shape[0], x.shape[1] / (p * p), x.shape[2] * p, x.shape[3] * p])
    for i in 0..<out.count {
        let idx = out.index(i)
        out.v[i] = x[[idx[0], idx[1] * p * p + (idx[2] % p) * p + idx[3] % p, idx[2] / p, idx[3] / p]]
    }
    return out
}

func refAvgPool(_ x: Ref, _ f: Int) -> Ref {
    var out = Ref(zeros: [x.shape[0], x.shape[1], x.shape[2] / f, x.shape[3] / f])
    for i in 0..<out.count {
        let idx = out.index(i)
        var s = 0.0
        for a in 0..<f { for b in 0..<f { s += x[[idx[0], idx[1], idx[2] * f + a, idx[3] * f + b]] } }
        out.v[i] = s / Double(f * f)
    }
    return out
}

/// softmax(q·kᵀ·scale, masked) · v with explicit loops; `allowed` nil = no mask; rows with no
/// allowed key give zeros.
func refAttention(_ q: Ref, _ k: Ref, _ v: Ref, allowed: [Bool]?, additive: Ref?) -> Ref {
    let b = q.shape[0], lq = q.shape[1], d = q.shape[2], lk = k.shape[1], dv = v.shape[2]
    let scale = 1 / Double(d).squareRoot()
    var out = Ref(zeros: [b, lq, dv])
    for bi in 0..<b { for i in 0..<lq {
        var s = [Double](repeating: -.infinity, count: lk)
        for j in 0..<lk where allowed?[i * lk + j] ?? true {
            var dot = 0.0
            for t in 0..<d { dot += q[[bi, i, t]] * k[[bi, j, t]] }
            s[j] = dot * scale + (additive.map { $0.at(broadcastIndex: [bi, i, j]) } ?? 0)
        }
        let m = s.max()!
        if m == -.infinity { continue }
        let e = s.map { exp($0 - m) }, z = e.reduce(0, +)
        for t in 0..<dv { out[[bi, i, t]] = (0..<lk).reduce(0.0) { $0 + e[$1] / z * v[[bi, $1, t]] } }
    } }
    return out
}
