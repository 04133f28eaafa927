import Foundation
import Geometry
import Support

/// Per-node data of the fast winding number: the node's triangles seen from afar as a dipole
/// (order 1) plus its first correction (order 2) of the Taylor expansion around `center`.
///
/// With r = center − q and, over the node's triangles t (area a_t, unit normal n_t, centroid c_t):
///   N = Σ a_t n_t (area vector),  M = Σ a_t (c_t − center) n_tᵀ,
///   4π·w(q) ≈ r·N/|r|³ + tr(M)/|r|³ − 3 rᵀ M r/|r|⁵.
/// `center` is the area-weighted centroid (the box centre for zero-area nodes), `radius` bounds
/// the distance from `center` to any corner in the node.
@usableFromInline struct WindingNode: Sendable {
    @usableFromInline var center: Vec3
    @usableFromInline var areaVector: Vec3
    @usableFromInline var m0: Vec3, m1: Vec3, m2: Vec3   // rows of M: M[i] = Σ a_t (c_t − center)_i n_t
    @usableFromInline var traceM: Float
    @usableFromInline var radiusSquared: Float
    @usableFromInline var area: Float
    /// The BVH node's `index` and `count`, copied so the traversal reads one array only.
    @usableFromInline var child: Int32 = 0
    @usableFromInline var count: Int32 = 0

    static func build(bvh: BVH, corners: [Vec3]) -> [WindingNode] {
        let zero = WindingNode(center: .zero, areaVector: .zero, m0: .zero, m1: .zero, m2: .zero, traceM: 0, radiusSquared: 0, area: 0)
        var out = [WindingNode](repeating: zero, count: bvh.nodes.count)
        // Leaf slots of a subtree are contiguous: slotRange[ni] = first ..< last slot under node ni.
        var slotLo = [Int32](repeating: 0, count: bvh.nodes.count), slotHi = slotLo
        // Children always have larger indices than their parent: fill bottom-up.
        for ni in stride(from: bvh.nodes.count - 1, through: 0, by: -1) {
            let node = bvh.nodes[ni]
            let boxCenter = (node.lo + node.hi) * 0.5
            var w = zero
            if node.isLeaf {
                var area: Float = 0, wc = Vec3.zero, nsum = Vec3.zero
                let range = Int(node.index)..<Int(node.index + node.count)
                for s in range {
                    let a = corners[3 * s], b = corners[3 * s + 1], c = corners[3 * s + 2]
                    let an = 0.5 * cross(b - a, c - a)
                    let ar = length(an)
                    area += ar; wc += ar * (a + b + c) / 3; nsum += an
                }
                w.area = area
                w.center = area > 0 ? wc / area : boxCenter
                w.areaVector = nsum
                for s in range {
                    let a = corners[3 * s], b = corners[3 * s + 1], c = corners[3 * s + 2]
                    let an = 0.5 * cross(b - a, c - a)
                    let d = (a + b + c) / 3 - w.center
                    w.m0 += d.x * an; w.m1 += d.y * an; w.m2 += d.z * an
                }
            } else {
                let l = out[Int(node.index)], r = out[Int(node.index) + 1]
                w.area = l.area + r.area
                w.center = w.area > 0 ? (l.area * l.center + r.area * r.center) / w.area : boxCenter
                w.areaVector = l.areaVector + r.areaVector
                // Shift each child's second moment to the new centre: M += (c_child − center) N_childᵀ.
                let dl = l.center - w.center, dr = r.center - w.center
                w.m0 = l.m0 + r.m0 + dl.x * l.areaVector + dr.x * r.areaVector
                w.m1 = l.m1 + r.m1 + dl.y * l.areaVector + dr.y * r.areaVector
                w.m2 = l.m2 + r.m2 + dl.z * l.areaVector + dr.z * r.areaVector
            }
            w.traceM = w.m0.x + w.m1.y + w.m2.z
            w.child = node.index; w.count = node.count
            if node.isLeaf {
                slotLo[ni] = node.index; slotHi[ni] = node.index + node.count
            } else {
                slotLo[ni] = slotLo[Int(node.index)]; slotHi[ni] = slotHi[Int(node.index) + 1]
            }
            // R = the exact largest distance from the expansion centre to a corner under the node
            // (tighter than the box's corners, so fewer nodes are opened at the same accuracy).
            var r2: Float = 0
            for k in (3 * Int(slotLo[ni]))..<(3 * Int(slotHi[ni])) { r2 = max(r2, lengthSquared(corners[k] - w.center)) }
            w.radiusSquared = r2
            out[ni] = w
        }
        return out
    }
}

extension TriangleBVH {
    /// Generalized winding number of the mesh at `q`: 1 inside and 0 outside a closed, outward
    /// oriented mesh, a smooth value in between near holes, the sum over parts for overlapping
    /// closed parts (so "w > ½" is inside either part).
    ///
    /// Fast winding number of Barill, Dickson, Schmidt, Levin & Jacobson, "Fast Winding Numbers for
    /// Soups and Clouds" (ACM Trans. Graph./SIGGRAPH 2018): a node whose bounding sphere
    /// (centre, radius R) is farther than β·R from q contributes its order-2 Taylor expansion
    /// (`WindingNode`); nodes near q are opened, and leaves near q sum exact triangle solid angles
    /// (Van Oosterom–Strackee). β = 2 as in the paper (larger is more accurate and slower).
    /// Edge cases: empty mesh → 0; non-finite q → NaN (callers treat it as outside).
    public func windingNumber(at q: Vec3, beta: Float = 2) -> Float {
        guard q.isFinite else { return .nan }
        guard !bvh.nodes.isEmpty else { return 0 }
        return withStack { sn, _ in winding(q, beta * beta, sn) }
    }

    /// `windingNumber(at:)` for every point, over all cores.
    public func windingNumbers(at points: [Vec3], beta: Float = 2) -> [Float] {
        var out = [Float](repeating: 0, count: points.count)
        guard !bvh.nodes.isEmpty, !points.isEmpty else {
            for (i, p) in points.enumerated() where !p.isFinite { out[i] = .nan }
            return out
        }
        out.withUnsafeMutableBufferPointer { ob in
            let o = ob.baseAddress!
            forEachQuery(points) { i, p, sn, _ in o[i] = p.isFinite ? winding(p, beta * beta, sn) : .nan }
        }
        return out
    }

    @inline(__always) func winding(_ q: Vec3, _ beta2: Float, _ sn: UnsafeMutablePointer<Int32>) -> Float {
            winding.withUnsafeBufferPointer { wb in
                corners.withUnsafeBufferPointer { cb in
                    let wn = wb.baseAddress!, tri = cb.baseAddress!
                    var total: Float = 0
                    var top = 1
                    sn[0] = 0
                    while top > 0 {
                        top -= 1
                        let ni = Int(sn[top])
                        let w = wn[ni]
                        let r = w.center - q
                        let r2 = dot(r, r)
                        if r2 > beta2 * w.radiusSquared {
                            // Far field: order-2 expansion.
                            let inv = 1 / r2.squareRoot()
                            let inv3 = inv * inv * inv
                            let mr = Vec3(dot(w.m0, r), dot(w.m1, r), dot(w.m2, r))
                            total += (dot(r, w.areaVector) + w.traceM) * inv3 - 3 * dot(r, mr) * inv3 / r2
                            continue
                        }
                        if w.count > 0 {
                            total += TrianglePrimitives.solidAngleSum(q, tri, Int(w.child), Int(w.count))
                        } else {
                            sn[top] = w.child + 1; sn[top + 1] = w.child; top += 2
                        }
                    }
                    return total / (4 * Float.pi)
                }
            }
    }
}
