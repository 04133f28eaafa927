import Geometry
import Support

/// Exact triangle / axis-aligned box overlap by the separating axis theorem (Akenine-Möller,
/// "Fast 3D Triangle-Box Overlap Testing", Journal of Graphics Tools 6(1), 2001): 13 axes — the
/// box's 3 face normals, the triangle's normal and the 9 cross products of box and triangle edges.
///
/// - The box is closed (touching counts as overlapping) and given by its centre and half size;
///   `slack` enlarges the half size, so rounding can only add overlaps, never lose one.
/// - Degenerate triangles (zero area) still test correctly along the remaining axes; a zero axis
///   separates nothing and is skipped.
enum TriangleBoxOverlap {
    @inline(__always)
    static func overlaps(_ a: Vec3, _ b: Vec3, _ c: Vec3, center: Vec3, halfSize h0: Float, slack: Float = 0) -> Bool {
        let h = h0 + slack
        let v0 = a - center, v1 = b - center, v2 = c - center
        // Box face normals: the triangle's bounding box against the box.
        let lo = pointwiseMin(v0, pointwiseMin(v1, v2)), hi = pointwiseMax(v0, pointwiseMax(v1, v2))
        if lo.x > h || lo.y > h || lo.z > h || hi.x < -h || hi.y < -h || hi.z < -h { return false }
        let e0 = v1 - v0, e1 = v2 - v1, e2 = v0 - v2
        // The 9 edge cross products: axis = unit axis × edge.
        for e in [e0, e1, e2] {
            let axes = [Vec3(0, -e.z, e.y), Vec3(e.z, 0, -e.x), Vec3(-e.y, e.x, 0)]
            for ax in axes where ax != .zero {
                let p0 = dot(ax, v0), p1 = dot(ax, v1), p2 = dot(ax, v2)
                let r = h * (abs(ax.x) + abs(ax.y) + abs(ax.z))
                if min(p0, min(p1, p2)) > r || max(p0, max(p1, p2)) < -r { return false }
            }
        }
        // The triangle's plane.
        let n = cross(e0, e1)
        if n != .zero {
            let r = h * (abs(n.x) + abs(n.y) + abs(n.z))
            if abs(dot(n, v0)) > r { return false }
        }
        return true
    }
}

extension Octree {
    /// The octree of the cells a triangle mesh passes through: a node splits (at `depth`: is a
    /// surface leaf) iff some triangle overlaps its closed cell, exactly (`TriangleBoxOverlap`,
    /// with a relative slack of 1e-5 cell so rounding only adds cells).
    ///
    /// - `mesh`: triangles in the octree frame [-1, 1]³ (transform first, e.g. by
    ///   `Octree.normalizingFrame(for:)`); parts outside the cube are ignored.
    /// - For a closed (watertight) mesh the surface cells separate inside from outside under
    ///   6-connectivity — a straight segment between the centres of two face-adjacent cells lies in
    ///   their union, so where it crosses the surface one of the two cells overlaps it — which is
    ///   what lets `occupancyVolume()` flood-fill the outside without leaks. Point-sampled trees
    ///   (`init(points:)`) give no such guarantee: a cell the surface barely clips may get no sample.
    /// - Per triangle, a descent from the root visits only the cells it overlaps (children tested
    ///   by SAT), in parallel over triangles; then as `init(points:)`, from the finest cells.
    public init(mesh: TriangleMesh, depth: Int, fullDepth: Int = 0, frame: SimilarityTransform = .identity) throws {
        guard Octree.depthRange.contains(depth) else { throw OctreeError.depthOutOfRange(depth: depth, allowed: Octree.depthRange) }
        let chunks = max(1, min(mesh.faceCount / 256, Parallelism.threadCount * 8))
        var perChunk = [[UInt32]](repeating: [], count: chunks)
        let size = (mesh.faceCount + chunks - 1) / max(chunks, 1)
        perChunk.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            parallelFor(chunks, minChunk: 1) { r in
                for c in r {
                    var keys = [UInt32]()
                    var stack = [(key: UInt32, depth: Int)]()
                    for f in (c * size)..<min(mesh.faceCount, (c + 1) * size) {
                        let (a, b, t) = mesh.corners(f)
                        guard a.isFinite && b.isFinite && t.isFinite else { continue }
                        stack.append((0, 0))
                        while let (k, d) = stack.popLast() {
                            let h = Octree.cellSize(depth: d) / 2
                            guard TriangleBoxOverlap.overlaps(a, b, t, center: Octree.cellCenter(key: k, depth: d), halfSize: h, slack: h * 2e-5) else { continue }
                            if d == depth { keys.append(k) } else { for ch in 0..<8 { stack.append((k << 3 | UInt32(ch), d + 1)) } }
                        }
                    }
                    keys.sort()
                    base[c] = OctreeBuilder.uniqueSorted(keys)
                }
            }
        }
        var finest = perChunk.flatMap { $0 }
        finest.sort()
        self = try OctreeBuilder.fromOccupiedCells(OctreeBuilder.uniqueSorted(finest), depth: depth, fullDepth: fullDepth, frame: frame)
    }
}
