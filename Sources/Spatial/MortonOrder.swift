import Geometry
import Support

/// Query ordering for cache-friendly batched traversals: points sorted along a Z-order (Morton)
/// curve visit nearly the same BVH nodes one after another, so a batch of random points runs
/// from cache instead of memory (Morton, "A computer oriented geodetic data base…", IBM 1966;
/// the standard trick of batched BVH queries).
enum MortonOrder {
    /// (N,) indices of `points` sorted by their 30-bit Morton code (`Morton.encode`, x highest) of
    /// the 1024³ grid over `box` (points outside the
    /// box are clamped to it, non-finite ones sort first). Ties keep input order.
    static func permutation(_ points: [Vec3], in box: AABB) -> [Int32] {
        let n = points.count
        let ext = box.max - box.min
        let scale = Vec3(repeating: 1023.999) / vmax(ext, Vec3(repeating: .leastNormalMagnitude))
        var codes = [UInt32](repeating: 0, count: n)
        codes.withUnsafeMutableBufferPointer { kb in
            let k = kb.baseAddress!
            points.withUnsafeBufferPointer { pb in
                parallelFor(n, minChunk: 16_384) { r in
                    for i in r {
                        let p = pb[i]
                        var code: UInt32 = 0
                        if p.isFinite {
                            let q = vmin(vmax((p - box.min) * scale, .zero), Vec3(repeating: 1023))
                            code = Morton.encode(SIMD3(UInt32(q.x), UInt32(q.y), UInt32(q.z)))
                        }
                        k[i] = code
                    }
                }
            }
        }
        return radixOrder(codes)
    }

    /// Stable sort of 30-bit keys: three passes of a least-significant-digit radix sort on
    /// 10-bit digits. Returns (N,) the input indices in key order (O(N), unlike a comparison
    /// sort's O(N log N), which dominated small-mesh batches).
    static func radixOrder(_ keys: [UInt32]) -> [Int32] {
        let n = keys.count
        var order = [Int32](unsafeUninitializedCapacity: n) { b, c in
            for i in 0..<n { b[i] = Int32(i) }
            c = n
        }
        var buffer = [Int32](repeating: 0, count: n)
        var count = [Int](repeating: 0, count: 1024)
        keys.withUnsafeBufferPointer { kb in
            for shift in stride(from: 0, to: 30, by: 10) {
                for d in 0..<1024 { count[d] = 0 }
                for i in 0..<n { count[Int((kb[i] >> UInt32(shift)) & 1023)] += 1 }
                var sum = 0
                for d in 0..<1024 { let c = count[d]; count[d] = sum; sum += c }
                order.withUnsafeBufferPointer { ob in
                    buffer.withUnsafeMutableBufferPointer { bb in
                        for i in 0..<n {
                            let idx = ob[i]
                            let d = Int((kb[Int(idx)] >> UInt32(shift)) & 1023)
                            bb[count[d]] = idx
                            count[d] += 1
                        }
                    }
                }
                swap(&order, &buffer)
            }
        }
        return order
    }
}

extension TriangleBVH {
    /// Runs `body(i, points[i])` for every point, over all cores, visiting points in Morton
    /// order (small batches run in input order). `body` must be safe to call concurrently for
    /// different i and gets a per-thread traversal stack.
    @inline(__always)
    func forEachQuery(_ points: [Vec3], _ body: (Int, Vec3, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Float>) -> Void) {
        let n = points.count
        guard n > 0 else { return }
        points.withUnsafeBufferPointer { pb in
            if n < 4096 {
                parallelFor(n, minChunk: 512) { r in withStack { sn, sd in for i in r { body(i, pb[i], sn, sd) } } }
                return
            }
            let order = MortonOrder.permutation(points, in: bvh.bounds)
            order.withUnsafeBufferPointer { ob in
                parallelFor(n, minChunk: 512) { r in
                    withStack { sn, sd in for k in r { let i = Int(ob[k]); body(i, pb[i], sn, sd) } }
                }
            }
        }
    }
}
