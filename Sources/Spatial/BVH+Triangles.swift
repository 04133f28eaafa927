import Foundation
import Geometry
import Support

/// The closest point on a mesh to a query point.
public struct ClosestPoint: Sendable, Equatable {
    /// Euclidean distance |p − point| (+inf for an empty mesh, NaN for a non-finite query).
    public var distance: Float
    /// The closest surface point (NaN components when there is none).
    public var point: Vec3
    /// Original index of the face it lies on (-1 when there is none).
    public var face: Int
    /// Barycentrics (w_a, w_b, w_c) of `point` in that face's corners (a, b, c) = triangles[face].
    public var barycentric: Vec3
    public static let none = ClosestPoint(distance: .infinity, point: Vec3(repeating: .nan), face: -1, barycentric: .zero)
    public static let nan = ClosestPoint(distance: .nan, point: Vec3(repeating: .nan), face: -1, barycentric: .zero)
}

/// The first intersection of a ray with a mesh: hit = origin + t · direction.
public struct RayHit: Sendable, Equatable {
    public var t: Float
    /// Original face index.
    public var face: Int
    /// Barycentrics (w_a, w_b, w_c) of the hit in the face's corners.
    public var barycentric: Vec3
}

/// A `BVH` over the faces of a `TriangleMesh`, with the triangle corners copied in leaf order
/// (48 bytes per face, streamed by the traversals) and the per-node dipole data of the fast
/// winding number (see `BVH+WindingNumber.swift`).
///
/// Faces with a non-finite corner are left out of every query. Degenerate (zero-area) faces stay
/// in for distance queries (a segment or point is still a valid closest feature) and contribute
/// nothing to winding numbers or ray hits. Every batched query runs over `parallelFor`.
public struct TriangleBVH: Sendable {
    public let bvh: BVH
    /// 3 × P_kept corners in leaf order: slot k is (corners[3k], corners[3k+1], corners[3k+2]).
    @usableFromInline let corners: [Vec3]
    /// Dipole data per node (same indexing as `bvh.nodes`).
    @usableFromInline let winding: [WindingNode]
    /// Number of faces of the source mesh (kept or not).
    public let faceCount: Int
    /// (faceCount,) leaf slot of each original face, -1 for faces left out.
    @usableFromInline let slotOfFace: [Int32]
    /// The parallel-ray grids of the parity test, one per direction of `parityDirections`,
    /// built on first use (shared by copies of this value).
    let parityGrids = ParityGridCache()

    public init(mesh: TriangleMesh, maxLeafSize: Int = 4) {
        faceCount = mesh.faceCount
        var boxes = [AABB](repeating: .empty, count: mesh.faceCount)
        for f in 0..<mesh.faceCount {
            let t = mesh.triangles[f]
            guard Int(t.x) < mesh.vertexCount, Int(t.y) < mesh.vertexCount, Int(t.z) < mesh.vertexCount else { continue }
            let (a, b, c) = mesh.corners(f)
            guard a.isFinite && b.isFinite && c.isFinite else { continue }
            boxes[f] = AABB(min: vmin(a, vmin(b, c)), max: vmax(a, vmax(b, c)))
        }
        let bvh = BVH(boxes: boxes, maxLeafSize: maxLeafSize)
        var corners = [Vec3]()
        corners.reserveCapacity(3 * bvh.primitiveOrder.count)
        for f in bvh.primitiveOrder {
            let (a, b, c) = mesh.corners(Int(f))
            corners.append(a); corners.append(b); corners.append(c)
        }
        var slotOfFace = [Int32](repeating: -1, count: mesh.faceCount)
        for (k, f) in bvh.primitiveOrder.enumerated() { slotOfFace[Int(f)] = Int32(k) }
        self.slotOfFace = slotOfFace
        self.bvh = bvh
        self.corners = corners
        self.winding = WindingNode.build(bvh: bvh, corners: corners)
    }

    public var isEmpty: Bool { bvh.isEmpty }
    public var bounds: AABB { bvh.bounds }

    // MARK: Closest point

    /// The closest point on the mesh to `p` (see `ClosestPoint` for the empty / NaN cases).
    public func closestPoint(to p: Vec3) -> ClosestPoint {
        withStack { closest(p, $0, $1) }
    }

    /// `closestPoint(to:)` for every point, in order, over all cores (visited in Morton order).
    public func closestPoints(to points: [Vec3]) -> [ClosestPoint] {
        guard !points.isEmpty else { return [] }
        var out = [ClosestPoint](repeating: .none, count: points.count)
        out.withUnsafeMutableBufferPointer { ob in
            let o = ob.baseAddress!
            forEachQuery(points) { i, p, sn, sd in o[i] = closest(p, sn, sd) }
        }
        return out
    }

    /// Unsigned distances and unit gradient directions (p − closest)/d for every point, over all
    /// cores. On the surface (d ≤ 1e-6 × max(1, longest box side)) the gradient is the face's
    /// unit normal; NaN queries give NaN distance and a zero gradient; an empty mesh gives +inf
    /// and a zero gradient. `gradients: false` skips them (the second array is then empty).
    public func unsignedDistances(to points: [Vec3], gradients: Bool = true) -> (distances: [Float], gradients: [Vec3]) {
        guard !points.isEmpty else { return ([], []) }
        var dist = [Float](repeating: 0, count: points.count)
        var grad = [Vec3](repeating: .zero, count: gradients ? points.count : 0)
        dist.withUnsafeMutableBufferPointer { db in
            grad.withUnsafeMutableBufferPointer { gb in
                // (An empty array's buffer may still have a base address: test the flag, not the pointer.)
                let dp = db.baseAddress!, gp = gradients ? gb.baseAddress : nil
                forEachQuery(points) { i, p, sn, sd in
                    let c = closest(p, sn, sd)
                    dp[i] = c.distance
                    if let gp { gp[i] = gradient(p, c) }
                }
            }
        }
        return (dist, grad)
    }

    /// The unit direction (p − closest)/d, the face normal at d = 0, zero when undefined.
    public func gradient(_ p: Vec3, _ c: ClosestPoint) -> Vec3 {
        guard c.face >= 0, c.distance.isFinite else { return .zero }
        // Below ~float noise of the mesh's scale, p lies on the surface: use the face normal.
        if c.distance > 1e-6 * max(1, bvh.bounds.longestSide) { return (p - c.point) / c.distance }
        return faceNormal(slotOf: c)
    }

    private func faceNormal(slotOf c: ClosestPoint) -> Vec3 {
        let k = Int(slotOfFace[c.face])
        guard k >= 0 else { return .zero }
        let n = cross(corners[3 * k + 1] - corners[3 * k], corners[3 * k + 2] - corners[3 * k])
        let l = length(n)
        return l > 0 ? n / l : .zero
    }

    @inline(__always) func withStack<R>(_ body: (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Float>) -> R) -> R {
        let cap = bvh.depth + 4
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: cap) { sn in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: cap) { sd in body(sn.baseAddress!, sd.baseAddress!) }
        }
    }

    @inline(__always)
    func closest(_ p: Vec3, _ sn: UnsafeMutablePointer<Int32>, _ sd: UnsafeMutablePointer<Float>) -> ClosestPoint {
        guard p.isFinite else { return .nan }
        guard !bvh.nodes.isEmpty else { return .none }
        if !boxDist2(bvh.nodes[0], p).isFinite {
            // So far away that squared distances overflow Float: query a proxy on the same ray
            // from the box centre (the closest point is the same up to rounding), and measure the
            // distance to the real query in Double.
            let c = bvh.bounds.center, d = (p - c).double
            let proxy = c + (d / length(d) * 1e12 * Double(max(1, bvh.bounds.diagonal))).float
            var r = closest(proxy, sn, sd)
            r.distance = Float(length(p.double - r.point.double))
            return r
        }
        return bvh.nodes.withUnsafeBufferPointer { nb in
            corners.withUnsafeBufferPointer { cb in
                let nodes = nb.baseAddress!, tri = cb.baseAddress!
                var best = Float.infinity, bestSlot = -1
                var bestPoint = Vec3.zero, bestBary = Vec3.zero
                var top = 0
                sn[0] = 0; sd[0] = boxDist2(nodes[0], p); top = 1
                while top > 0 {
                    top -= 1
                    let ni = Int(sn[top])
                    if sd[top] >= best { continue }
                    let node = nodes[ni]
                    if node.count > 0 {
                        let s0 = Int(node.index)
                        for s in s0..<(s0 + Int(node.count)) {
                            let a = tri[3 * s], b = tri[3 * s + 1], c = tri[3 * s + 2]
                            let (q, w) = TrianglePrimitives.closestPoint(p, a, b, c)
                            let e = p - q
                            let d = dot(e, e)
                            if d < best { best = d; bestSlot = s; bestPoint = q; bestBary = w }
                        }
                    } else {
                        let l = Int(node.index)
                        let dl = boxDist2(nodes[l], p), dr = boxDist2(nodes[l + 1], p)
                        // Push the far child first so the near one is popped next.
                        if dl <= dr {
                            if dr < best { sn[top] = Int32(l + 1); sd[top] = dr; top += 1 }
                            if dl < best { sn[top] = Int32(l); sd[top] = dl; top += 1 }
                        } else {
                            if dl < best { sn[top] = Int32(l); sd[top] = dl; top += 1 }
                            if dr < best { sn[top] = Int32(l + 1); sd[top] = dr; top += 1 }
                        }
                    }
                }
                guard bestSlot >= 0 else { return .none }
                return ClosestPoint(distance: best.squareRoot(), point: bestPoint, face: Int(bvh.primitiveOrder[bestSlot]), barycentric: bestBary)
            }
        }
    }

    @inline(__always) func boxDist2(_ n: BVH.Node, _ p: Vec3) -> Float {
        let d = vmax(vmax(n.lo - p, p - n.hi), .zero)
        return dot(d, d)
    }

    // MARK: Rays

    /// Slab test: the ray's parameter interval inside the box, intersected with [0, tMax].
    @inline(__always) static func rayBox(_ n: BVH.Node, _ o: Vec3, _ inv: Vec3, _ tMax: Float) -> Bool {
        let t0 = (n.lo - o) * inv, t1 = (n.hi - o) * inv
        let tn = hmax(vmin(t0, t1)), tf = hmin(vmax(t0, t1))
        return tn <= tf && tf >= 0 && tn <= tMax
    }

    /// Zero direction components replaced by ±1e-30 so that 1/d is finite-signed (no 0·inf NaN).
    @inline(__always) static func safeInverse(_ d: Vec3) -> Vec3 {
        var e = d
        for k in 0..<3 where abs(e[k]) < 1e-30 { e[k] = e[k].sign == .minus ? -1e-30 : 1e-30 }
        return 1 / e
    }

    /// The nearest hit with 0 < t ≤ tMax (either side of a face), or nil. NaN input: nil.
    public func firstHit(origin o: Vec3, direction d: Vec3, tMax: Float = .infinity) -> RayHit? {
        guard o.isFinite, d.isFinite, d != .zero, !bvh.nodes.isEmpty else { return nil }
        let inv = TriangleBVH.safeInverse(d)
        var best = tMax, bestSlot = -1, bu: Float = 0, bv: Float = 0
        return withStack { sn, _ in
            bvh.nodes.withUnsafeBufferPointer { nb in
                corners.withUnsafeBufferPointer { cb in
                    let nodes = nb.baseAddress!, tri = cb.baseAddress!
                    var top = 1
                    sn[0] = 0
                    while top > 0 {
                        top -= 1
                        let node = nodes[Int(sn[top])]
                        guard TriangleBVH.rayBox(node, o, inv, best) else { continue }
                        if node.count > 0 {
                            let s0 = Int(node.index)
                            for s in s0..<(s0 + Int(node.count)) {
                                if let h = TrianglePrimitives.intersect(origin: o, direction: d, tri[3 * s], tri[3 * s + 1], tri[3 * s + 2]),
                                   h.t > 0, h.t <= best {
                                    best = h.t; bestSlot = s; bu = h.u; bv = h.v
                                }
                            }
                        } else {
                            sn[top] = node.index + 1; sn[top + 1] = node.index; top += 2
                        }
                    }
                }
            }
            guard bestSlot >= 0 else { return nil }
            return RayHit(t: best, face: Int(bvh.primitiveOrder[bestSlot]), barycentric: Vec3(1 - bu - bv, bu, bv))
        }
    }

    /// Number of faces the ray o + t·d, t > 0, crosses (both orientations; a ray through a
    /// shared edge may count it once per face). 0 for NaN input or an empty mesh.
    public func crossingCount(origin o: Vec3, direction d: Vec3) -> Int {
        guard o.isFinite, d.isFinite, d != .zero, !bvh.nodes.isEmpty else { return 0 }
        return withStack { sn, _ in crossings(o, d, TriangleBVH.safeInverse(d), sn) }
    }

    @inline(__always) func crossings(_ o: Vec3, _ d: Vec3, _ inv: Vec3, _ sn: UnsafeMutablePointer<Int32>) -> Int {
        bvh.nodes.withUnsafeBufferPointer { nb in
            corners.withUnsafeBufferPointer { cb in
                let nodes = nb.baseAddress!, tri = cb.baseAddress!
                var count = 0
                var top = 1
                sn[0] = 0
                while top > 0 {
                    top -= 1
                    let node = nodes[Int(sn[top])]
                    guard TriangleBVH.rayBox(node, o, inv, .infinity) else { continue }
                    if node.count > 0 {
                        let s0 = Int(node.index)
                        for s in s0..<(s0 + Int(node.count)) {
                            if let h = TrianglePrimitives.intersect(origin: o, direction: d, tri[3 * s], tri[3 * s + 1], tri[3 * s + 2]), h.t > 0 { count += 1 }
                        }
                    } else {
                        sn[top] = node.index + 1; sn[top + 1] = node.index; top += 2
                    }
                }
                return count
            }
        }
    }

    /// Fixed, generic ray directions for parity votes (irrational-looking, no zero component, so
    /// rays rarely graze edges or axis-aligned faces).
    public static let parityDirections: [Vec3] = [
        normalize(Vec3(0.5773, 0.6123, 0.5402)), normalize(Vec3(-0.7071, 0.3134, -0.6338)),
        normalize(Vec3(0.2617, -0.9101, 0.3213)), normalize(Vec3(-0.3371, -0.4473, 0.8284)),
        normalize(Vec3(0.8447, 0.1181, -0.5221)),
    ]

    /// Inside/outside by ray parity: a ray is "inside" when it crosses an odd number of faces; the
    /// answer is the majority over `rays` directions (odd counts avoid ties). NaN: outside.
    /// The crossings come from a `ParallelRayGrid` per direction (built on the first parity
    /// query, O(faces)), not from tracing each ray through the BVH.
    public func isInsideByParity(_ p: Vec3, rays: Int = 3) -> Bool {
        guard p.isFinite, !bvh.nodes.isEmpty else { return false }
        return TriangleBVH.parityVote(p, prepareParity(rays: rays))
    }

    /// The parity grids of the first `rays` directions (1…5), built now if not yet (otherwise the
    /// first parity query builds them). Every parity query gets its grids here.
    @discardableResult
    public func prepareParity(rays: Int = 3) -> [ParallelRayGrid] {
        (0..<TriangleBVH.parityRayCount(rays)).map { parityGrid($0) }
    }

    static func parityRayCount(_ rays: Int) -> Int { max(1, min(rays, parityDirections.count)) }

    /// The grid of parity direction k (built once, then cached).
    func parityGrid(_ k: Int) -> ParallelRayGrid {
        parityGrids.grid(k) { makeParityGrid(k) }
    }

    /// A new (uncached) grid of the kept faces for `parityDirections[k]`.
    public func makeParityGrid(_ k: Int) -> ParallelRayGrid {
        ParallelRayGrid(corners: corners, direction: TriangleBVH.parityDirections[k])
    }

    @inline(__always) static func parityVote(_ p: Vec3, _ grids: [ParallelRayGrid]) -> Bool {
        guard p.isFinite else { return false }
        let n = grids.count
        var votes = 0
        for k in 0..<n {
            if grids[k].crossingCount(p) & 1 == 1 { votes += 1 }
            if 2 * votes > n || 2 * (votes + n - 1 - k) < n { break } // decided
        }
        return 2 * votes > n
    }

    /// `isInsideByParity` for every point, over all cores.
    public func insideByParity(_ points: [Vec3], rays: Int = 3) -> [Bool] {
        var out = [Bool](repeating: false, count: points.count)
        guard !bvh.nodes.isEmpty, !points.isEmpty else { return out }
        out.withUnsafeMutableBufferPointer { ob in
            let o = ob.baseAddress!
            let grids = prepareParity(rays: rays)
            // Input order: the grids are small enough that sorting queries costs more than it saves.
            points.withUnsafeBufferPointer { pb in
                parallelFor(points.count, minChunk: 4096) { r in
                    for i in r { o[i] = TriangleBVH.parityVote(pb[i], grids) }
                }
            }
        }
        return out
    }
}

/// Lazily built `ParallelRayGrid`s, one per parity direction, safe to share across threads.
final class ParityGridCache: @unchecked Sendable {
    private let lock = NSLock()
    private var grids = [ParallelRayGrid?](repeating: nil, count: TriangleBVH.parityDirections.count)

    func grid(_ k: Int, build: () -> ParallelRayGrid) -> ParallelRayGrid {
        lock.lock(); defer { lock.unlock() }
        if let g = grids[k] { return g }
        let g = build()
        grids[k] = g
        return g
    }
}
