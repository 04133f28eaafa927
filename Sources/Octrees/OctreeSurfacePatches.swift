import Extraction
import Fields
import Geometry
import Support

/// The inputs and the extraction of a *learned* surface stage: a small network that reads the
/// coarse tree's cell labels around a query point and says whether the point is inside — a local
/// implicit decoder in the manner of Local Implicit Grids (Jiang et al., CVPR 2020) and ConvONet
/// (Peng et al., ECCV 2020), with the coarse labels themselves as each cell's local code. Blurring
/// the labels (`smoothMesh`) can only round a coarse staircase; a decoder trained on real shapes
/// learns where in its cells a surface of that neighbourhood lies — flat sides flat, thin sheets thin.
///
/// A cell's patch: for the (2r + 1)³ cells around it (offsets −r…r per axis, x-major, z fastest)
/// two flags (is shell, is interior) — (0, 0) for outside and for cells beyond the cube —
/// `patchWidth(radius:)` floats. A point p (octree frame [-1, 1]³) is read by the 8 cells whose
/// centres surround it, blended trilinearly (`PatchQuery`): with g = (p + 1)/h − ½ (h the cell
/// size) the cells ⌊g⌋ + {0, 1}³ (possibly one beyond the cube), offsets p − centre in cells.
extension OccupancyVolume {
    /// 2·(2·radius + 1)³.
    public static func patchWidth(radius: Int) -> Int {
        precondition(radius >= 0, "radius must be ≥ 0")
        let side = 2 * radius + 1
        return 2 * side * side * side
    }

    /// The blended-patch query of `points` (see above and `PatchQuery`).
    public func patchQuery(_ points: [Vec3], radius: Int) -> PatchQuery {
        let n = self.n, inv = Float(n) / 2, corners = PatchQuery.cornersPerPoint
        var q = PatchQuery(patchWidth: Self.patchWidth(radius: radius))
        q.cellOfRow.reserveCapacity(points.count * corners)
        q.offsets.reserveCapacity(points.count * corners * 3)
        q.weights.reserveCapacity(points.count * corners)
        var rowOfCell: [Int: Int] = [:]
        var cells: [SIMD3<Int>] = []
        let side = n + 2
        for p in points {
            let g = (p + 1) * inv - 0.5
            let base = SIMD3(Int(g.x.rounded(.down)), Int(g.y.rounded(.down)), Int(g.z.rounded(.down)))
            let t = g - Vec3(Float(base.x), Float(base.y), Float(base.z))
            for k in 0..<corners {
                let d = SIMD3(k >> 2, (k >> 1) & 1, k & 1)
                let c = base &+ d
                let key = ((c.x + 1) * side + c.y + 1) * side + c.z + 1
                let row: Int
                if let r = rowOfCell[key] { row = r } else { row = cells.count; rowOfCell[key] = row; cells.append(c) }
                q.cellOfRow.append(row)
                let w = (d.x == 1 ? t.x : 1 - t.x) * (d.y == 1 ? t.y : 1 - t.y) * (d.z == 1 ? t.z : 1 - t.z)
                q.weights.append(w)
                q.offsets.append(t.x - Float(d.x)); q.offsets.append(t.y - Float(d.y)); q.offsets.append(t.z - Float(d.z))
            }
        }
        q.patches = patches(cells, radius: radius)
        return q
    }

    /// Row-major [cells.count, `patchWidth(radius:)`] patches of cells given by coordinates
    /// (which may lie beyond the cube).
    public func patches(_ cells: [SIMD3<Int>], radius: Int) -> [Float] {
        let f = Self.patchWidth(radius: radius), n = self.n
        var out = [Float](repeating: 0, count: cells.count * f)
        labels.withUnsafeBufferPointer { lb in
            cells.withUnsafeBufferPointer { cb in
                out.withUnsafeMutableBufferPointer { ob in
                    let l = lb.baseAddress!, o = ob.baseAddress!, cs = cb.baseAddress!
                    parallelFor(cells.count, minChunk: 256) { r in
                        for i in r {
                            let c = cs[i], row = o + i * f
                            var k = 0
                            for dx in -radius...radius {
                                let x = c.x + dx
                                for dy in -radius...radius {
                                    let y = c.y + dy
                                    for dz in -radius...radius {
                                        let z = c.z + dz
                                        if x >= 0 && x < n && y >= 0 && y < n && z >= 0 && z < n {
                                            let label = l[(x * n + y) * n + z]
                                            if label == .shell { row[k] = 1 } else if label == .interior { row[k + 1] = 1 }
                                        }
                                        k += 2
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The volume of the same tree with its shell perturbed as a sampled structure may be — for
    /// training a learned stage that must mesh imperfect structures: every shell cell is dropped
    /// with probability `drop`, every non-shell 6-neighbour of the shell becomes shell with
    /// probability `add`, and outside / interior are recomputed by the flood fill (so a hole in a
    /// one-cell wall lets the outside in, as it does when a sampled tree is decoded). Seeded.
    public func perturbed(drop: Double, add: Double, seed: UInt64) -> OccupancyVolume {
        let n = self.n, nn = n * n
        var rng = SeededRandom(seed: seed)
        var shell = labels.map { $0 == .shell }
        let original = shell
        for i in shell.indices where original[i] {
            if rng.nextDouble() < drop { shell[i] = false }
            let x = i / nn, y = (i / n) % n, z = i % n
            for (j, ok) in [(i - nn, x > 0), (i + nn, x < n - 1), (i - n, y > 0), (i + n, y < n - 1), (i - 1, z > 0), (i + 1, z < n - 1)]
            where ok && !original[j] && rng.nextDouble() < add / 6 { shell[j] = true }
        }
        var l = shell.map { $0 ? Label.shell : Label.interior }
        l.withUnsafeMutableBufferPointer { Octree.floodOutside($0.baseAddress!, n: n) }
        return OccupancyVolume(depth: depth, labels: l)
    }

    /// Per cell (`labels` order): whether it lies within `dilation` cells (Chebyshev distance) of a
    /// shell cell — the band where a learned stage decides; outside it the labels do.
    public func band(dilation: Int) -> [Bool] {
        precondition(dilation >= 0, "dilation must be ≥ 0")
        let n = self.n
        var mask = labels.map { $0 == .shell }
        guard dilation > 0 else { return mask }
        // Separable max filter: a box dilation is three 1-D dilations.
        for stride in [n * n, n, 1] {
            let src = mask
            for i in 0..<mask.count where !src[i] {
                let c = (i / stride) % n
                for d in 1...dilation {
                    if (c - d >= 0 && src[i - d * stride]) || (c + d < n && src[i + d * stride]) { mask[i] = true; break }
                }
            }
        }
        return mask
    }
}

extension Octree {
    /// The learned surface stage's mesh: `logits` (a `PatchQuery` of `OccupancyVolume.patchQuery`
    /// → one occupancy logit per point, inside > 0) evaluated at
    /// the points of the (2^targetDepth + 1)³ lattice of [-1, 1]³ whose cell lies in the band
    /// (`band(dilation:)`); elsewhere the cell's label decides (interior +`farLogit`, else
    /// −`farLogit`); the lattice's border is outside (−`farLogit`); marching cubes at 0 (Lorensen &
    /// Cline 1987).
    ///
    /// - Closed (watertight, edge-manifold) whatever the network says: the border is outside.
    /// - The empty tree gives the empty mesh; targetDepth must lie in depth…`maxVolumeDepth`.
    /// - Output in the octree frame (or the source frame when `inSourceFrame`).
    /// - `logits` is called on chunks of at most `chunk` points, in order.
    public func learnedSurfaceMesh(targetDepth: Int, radius: Int, dilation: Int = 1, farLogit: Float = 8, chunk: Int = 16_384,
                                   inSourceFrame: Bool = false, logits: (PatchQuery) -> [Float]) throws -> TriangleMesh {
        guard (depth...Octree.maxVolumeDepth).contains(targetDepth) else {
            throw OctreeError.depthOutOfRange(depth: targetDepth, allowed: depth...Octree.maxVolumeDepth)
        }
        precondition(chunk >= 1, "chunk must be ≥ 1")
        let volume = try occupancyVolume()
        let band = volume.band(dilation: dilation)
        let n = volume.n, m = (1 << targetDepth) + 1, scale = 1 << (targetDepth - depth)
        let step = 2 / Float(m - 1)
        var values = [Float](repeating: -farLogit, count: m * m * m)
        var query: [Int] = []
        for i in 0..<m {
            let cx = min(i / scale, n - 1)
            for j in 0..<m {
                let cy = min(j / scale, n - 1)
                for k in 0..<m {
                    let c = (cx * n + cy) * n + min(k / scale, n - 1)
                    let v = (i * m + j) * m + k
                    let border = i == 0 || j == 0 || k == 0 || i == m - 1 || j == m - 1 || k == m - 1
                    if border { continue }                   // outside, so the surface closes
                    if band[c] { query.append(v) } else if volume.labels[c] == .interior { values[v] = farLogit }
                }
            }
        }
        var start = 0
        while start < query.count {
            let slice = query[start..<min(query.count, start + chunk)]
            let points = slice.map { v in Vec3(Float(v / (m * m)), Float((v / m) % m), Float(v % m)) * step - 1 }
            let out = logits(volume.patchQuery(points, radius: radius))
            precondition(out.count == points.count, "one logit per point")
            for (v, value) in zip(slice, out) { values[v] = value }
            start += chunk
        }
        let grid = ScalarGrid(resolution: SIMD3(m, m, m), bounds: .cube(halfSize: 1), values: values)
        let mesh = try MarchingCubes.extractClosed(grid, level: 0, inside: .higher)
        return inSourceFrame ? mesh.transformed(by: frame.inverse) : mesh
    }
}
