import Foundation
import Support

// Reshape (a view), permute/transpose, concat, slice and embedding lookup (row gather).

/// Copies `src` (shape `shape`, read with arbitrary element strides `srcStrides`) into a
/// contiguous row-major buffer `dst`.
func stridedCopy(_ src: UnsafePointer<Float>, shape: [Int], srcStrides: [Int], into dst: UnsafeMutablePointer<Float>) {
    let r = shape.count
    let n = shape.reduce(1, *)
    if n == 0 { return }
    if r == 0 { dst[0] = src[0]; return }
    let inner = shape[r - 1], si = srcStrides[r - 1]
    let rows = n / inner
    parallelFor(rows, minChunk: max(1, elementwiseGrain / max(1, inner))) { range in
        for row in range {
            var rem = row, o = 0
            for k in stride(from: r - 2, through: 0, by: -1) { let i = rem % shape[k]; rem /= shape[k]; o += i * srcStrides[k] }
            let d = dst + row * inner, s = src + o
            if si == 1 { d.update(from: s, count: inner) } else { for j in 0..<inner { d[j] = s[j * si] } }
        }
    }
}

extension Tensor {
    /// Same values, new shape (a view sharing storage). One dimension may be −1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let i = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            s[i] = count / known
        }
        precondition(s.reduce(1, *) == count, "cannot reshape \(shape) (\(count) values) to \(newShape)")
        if s == shape { return self }
        let src = shape
        return Tensor(storage: storage, offset: offset, shape: s).record("reshape", [self]) { g in [g.reshaped(src)] }
    }

    /// Flattens to [count].
    public func flattened() -> Tensor { reshaped([count]) }

    /// Reorders axes: output axis k is input axis `perm[k]` (a copy).
    public func permuted(_ perm: [Int]) -> Tensor {
        precondition(perm.count == rank && Set(perm) == Set(0..<rank), "permuted: \(perm) is not a permutation of \(rank) axes")
        if perm == Array(0..<rank) { return self }
        let st = strides
        let outShape = perm.map { shape[$0] }
        let out = Tensor(uninitializedShape: outShape)
        stridedCopy(data, shape: outShape, srcStrides: perm.map { st[$0] }, into: out.mutableData)
        var inv = [Int](repeating: 0, count: rank)
        for (k, p) in perm.enumerated() { inv[p] = k }
        return out.record("permute", [self]) { g in [g.permuted(inv)] }
    }

    /// Swaps two axes (default: the last two).
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        let a = a < 0 ? a + rank : a, b = b < 0 ? b + rank : b
        var p = Array(0..<rank)
        p.swapAt(a, b)
        return permuted(p)
    }

    /// Elements `range` along `axis`. Along axis 0 this is a view; otherwise a copy.
    public func slice(axis: Int = 0, _ range: Range<Int>) -> Tensor {
        let axis = axis < 0 ? axis + rank : axis
        precondition(axis >= 0 && axis < rank, "slice: axis \(axis) for rank \(rank)")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[axis], "slice: \(range) outside 0..<\(shape[axis])")
        var outShape = shape
        outShape[axis] = range.count
        let inner = shape[(axis + 1)...].reduce(1, *)
        let outer = shape[..<axis].reduce(1, *)
        let src = shape
        let out: Tensor
        if outer == 1 {
            out = Tensor(storage: storage, offset: offset + range.lowerBound * inner, shape: outShape)
        } else {
            out = Tensor(uninitializedShape: outShape)
            let n = shape[axis], m = range.count
            let ps = data, po = out.mutableData
            parallelFor(outer, minChunk: max(1, elementwiseGrain / max(1, m * inner))) { r in
                for i in r { (po + i * m * inner).update(from: ps + (i * n + range.lowerBound) * inner, count: m * inner) }
            }
        }
        return out.record("slice", [self]) { g in
            let gi = Tensor(zeros: src)
            let n = src[axis], m = range.count
            let pg = g.data, po = gi.mutableData
            for i in 0..<outer { (po + (i * n + range.lowerBound) * inner).update(from: pg + i * m * inner, count: m * inner) }
            return [gi]
        }
    }

    /// Concatenates tensors along `axis` (all other dimensions equal).
    public static func concat(_ parts: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!parts.isEmpty, "concat of nothing")
        let r = parts[0].rank
        let axis = axis < 0 ? axis + r : axis
        for p in parts {
            precondition(p.rank == r && (0..<r).allSatisfy { $0 == axis || p.shape[$0] == parts[0].shape[$0] },
                         "concat: shapes \(parts.map(\.shape)) differ off axis \(axis)")
        }
        var outShape = parts[0].shape
        outShape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        let outer = outShape[..<axis].reduce(1, *), inner = outShape[(axis + 1)...].reduce(1, *)
        let out = Tensor(uninitializedShape: outShape)
        let po = out.mutableData, total = outShape[axis]
        var start = 0
        var starts: [Int] = []
        for p in parts {
            let m = p.shape[axis], ps = p.data, s0 = start
            starts.append(s0)
            parallelFor(outer, minChunk: max(1, elementwiseGrain / max(1, m * inner))) { rr in
                for i in rr { (po + (i * total + s0) * inner).update(from: ps + i * m * inner, count: m * inner) }
            }
            start += m
        }
        return out.record("concat", parts) { g in
            zip(parts, starts).map { p, s in p.requiresGrad ? g.slice(axis: axis, s..<(s + p.shape[axis])) : nil }
        }
    }
}

/// Row lookup: `weight` [V, D], `indices` (each in 0..<V) → [indices.count, D]. The backward
/// scatters-adds rows into the weight's gradient (repeated indices accumulate).
public func embedding(_ weight: Tensor, _ indices: [Int]) -> Tensor {
    precondition(weight.rank == 2, "embedding weight must be [V, D], got \(weight.shape)")
    let v = weight.shape[0], d = weight.shape[1]
    for i in indices { precondition(i >= 0 && i < v, "embedding index \(i) outside 0..<\(v)") }
    let out = Tensor(uninitializedShape: [indices.count, d])
    let pw = weight.data, po = out.mutableData
    indices.withUnsafeBufferPointer { idx in
        parallelFor(idx.count, minChunk: max(1, elementwiseGrain / max(1, d))) { r in
            for i in r { (po + i * d).update(from: pw + idx[i] * d, count: d) }
        }
    }
    return out.record("embedding", [weight]) { g in
        let gw = Tensor(zeros: [v, d])
        let pg = g.data, pgw = gw.mutableData
        for (i, row) in indices.enumerated() {
            let dst = pgw + row * d, src = pg + i * d
            for j in 0..<d { dst[j] += src[j] }
        }
        return [gw]
    }
}
