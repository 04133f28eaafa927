import Foundation
import Support

// Sums, means and variances over axes, and broadcasting expansion (their backward).

/// Sums axis `axis` of a contiguous tensor viewed as [outer, n, inner] → [outer, inner].
func sumAxisKernel(_ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, into o: UnsafeMutablePointer<Float>) {
    if inner == 1 {
        parallelFor(outer, minChunk: max(1, elementwiseGrain / max(1, n))) { r in
            for i in r {
                var s: Float = 0
                let row = x + i * n
                for j in 0..<n { s += row[j] }
                o[i] = s
            }
        }
        return
    }
    // Split the output [outer, inner] into column blocks so two threads also help when outer = 1.
    let block = 256
    let blocksPerRow = (inner + block - 1) / block
    parallelFor(outer * blocksPerRow, minChunk: max(1, elementwiseGrain / max(1, n * block))) { r in
        for t in r {
            let i = t / blocksPerRow, lo = (t % blocksPerRow) * block, hi = min(inner, lo + block)
            let dst = o + i * inner
            for c in lo..<hi { dst[c] = 0 }
            for j in 0..<n {
                let src = x + (i * n + j) * inner
                for c in lo..<hi { dst[c] += src[c] }
            }
        }
    }
}

/// Broadcasts `a` to `shape` (copying).
func expandKernel(_ a: Tensor, to shape: [Int]) -> Tensor {
    if a.shape == shape { return a }
    let out = Tensor(uninitializedShape: shape)
    if out.count == 0 { return out }
    let r = shape.count
    let sa = broadcastStrides(a.shape, into: shape)
    let inner = shape[r - 1], rows = out.count / inner
    let pa = a.data, po = out.mutableData
    let ia = sa[r - 1]
    parallelFor(rows, minChunk: max(1, elementwiseGrain / max(1, inner))) { range in
        for row in range {
            var rem = row, oa = 0
            for k in stride(from: r - 2, through: 0, by: -1) { let i = rem % shape[k]; rem /= shape[k]; oa += i * sa[k] }
            let o = po + row * inner, x = pa + oa
            if ia == 1 { o.update(from: x, count: inner) } else { o.update(repeating: x[0], count: inner) }
        }
    }
    return out
}

extension Tensor {
    /// Broadcasts to `shape` (NumPy rules); the backward sums the gradient back.
    public func expanded(to target: [Int]) -> Tensor {
        if shape == target { return self }
        precondition(broadcastShapes(shape, target) == target, "cannot expand \(shape) to \(target)")
        let src = shape
        return expandKernel(self, to: target).record("expand", [self]) { g in [g.sum(to: src)] }
    }

    /// Sum over `axes` (negative axes count from the end); all axes when `axes` is nil.
    /// `keepDims` keeps reduced axes as size 1.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let ax = Set((axes ?? Array(0..<rank)).map { $0 < 0 ? $0 + rank : $0 })
        precondition(ax.allSatisfy { $0 >= 0 && $0 < rank }, "sum: axes \(axes ?? []) out of range for rank \(rank)")
        var keptShape = shape
        var cur = self.detached()
        // One axis at a time, largest first (each pass is a [outer, n, inner] reduction).
        for a in ax.sorted(by: >) {
            let outer = shape[..<a].reduce(1, *), n = cur.shape[a], inner = cur.shape[(a + 1)...].reduce(1, *)
            keptShape[a] = 1
            var nshape = cur.shape; nshape[a] = 1
            let o = Tensor(uninitializedShape: nshape)
            sumAxisKernel(cur.data, outer: outer, n: n, inner: inner, into: o.mutableData)
            cur = o
        }
        let outShape = keepDims ? keptShape : shape.enumerated().filter { !ax.contains($0.offset) }.map(\.element)
        let result = Tensor(storage: cur.storage, offset: cur.offset, shape: outShape)
        let src = shape, kept = keptShape
        return result.record("sum", [self]) { g in [expandKernel(g.reshaped(kept), to: src)] }
    }

    /// Mean over `axes` (all when nil).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let ax = (axes ?? Array(0..<rank)).map { $0 < 0 ? $0 + rank : $0 }
        let n = Set(ax).reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    /// Variance over `axes` (all when nil); `unbiased` divides by n − 1 (torch's default is
    /// unbiased; normalization layers use the biased form).
    public func variance(axes: [Int]? = nil, keepDims: Bool = false, unbiased: Bool = false) -> Tensor {
        let ax = (axes ?? Array(0..<rank)).map { $0 < 0 ? $0 + rank : $0 }
        let n = Set(ax).reduce(1) { $0 * shape[$1] }
        let centered = self - mean(axes: ax, keepDims: true)
        return centered.squared().sum(axes: ax, keepDims: keepDims) * (1 / Float(Swift.max(unbiased ? n - 1 : n, 1)))
    }
}
