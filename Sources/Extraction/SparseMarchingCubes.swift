import Fields
import Geometry
import Support

/// Coarse-to-fine marching cubes for expensive fields (neural decoders, mesh distance queries).
///
/// After Mescheder et al., "Occupancy Networks", CVPR 2019 (Multiresolution IsoSurface Extraction,
/// MISE): evaluate the field on a coarse lattice, subdivide only the blocks near the iso-surface,
/// and run `MarchingCubes` on the target lattice, where the points that were never evaluated carry
/// the value of an evaluated corner of their enclosing, sign-uniform block.
///
/// **Lattice.** The target is the same `ScalarGrid` as `ScalarGrid(sampling: field, resolution: N,
/// bounds:)`: N points per axis, x-major, z fastest. With L levels, N − 1 must be a multiple of 2^L;
/// level 0 evaluates every 2^L-th point ((N − 1)/2^L + 1 per axis).
///
/// **Refinement rule.** At each level a block is *crossed* when its 8 corners are not all on the
/// same side of `level` (inside = value ≥ level for `.higher`, ≤ level for `.lower`, as
/// `MarchingCubes`). Crossed blocks and their 26 neighbours are subdivided (the dilation catches a
/// surface that enters a block between its corners). At the finest level the crossed cells, again
/// dilated by one cell, get all their corners evaluated, so every corner of a crossed cell *and* its
/// six axis neighbours (the central-difference normals) hold true field values.
///
/// **Guarantee and limit.** Whenever every cell that the dense grid finds crossed lies within one
/// block of a crossed block at every level, the output equals dense extraction exactly (positions,
/// triangles and normals). Features smaller than the coarse spacing that no coarse corner sees
/// (a thin shell between two coarse points) can be missed, as in MISE: pick the coarse resolution
/// below the feature size.
///
/// **Cost.** Field evaluations are reported; memory is 5 bytes per target lattice point
/// (a value and a state byte), i.e. ~85 MB at 257³.
public enum SparseMarchingCubes {
    public struct Result: Sendable {
        public var mesh: TriangleMesh
        /// Distinct lattice points at which the field was evaluated.
        public var evaluations: Int
        /// N³: what dense extraction evaluates.
        public var denseEvaluations: Int
        /// Points evaluated per level (index 0 = coarse lattice, last = the final corner pass).
        public var evaluationsPerLevel: [Int]
    }

    /// The number of levels used when none is given: as many halvings of N − 1 as keep the coarse
    /// lattice at ≥ 16 cells per axis (ONet uses 32³ → 256³ in 3 steps).
    public static func defaultLevels(resolution n: Int) -> Int {
        var l = 0
        while (n - 1) % (1 << (l + 1)) == 0 && (n - 1) / (1 << (l + 1)) >= 16 { l += 1 }
        return l
    }

    /// Extracts the `level` iso-surface of `field` on the N³ lattice (`resolution` = N) over `bounds`.
    /// `lipschitz`: when the field is L-Lipschitz (a true distance field: L = 1), a block is also
    /// refined when no corner lies farther than L × its diagonal from `level`; then no crossing is
    /// missed, thin features included, and the output equals dense extraction. nil: sign changes only.
    /// Throws `ExtractionError.incompatibleLevels` when N − 1 is not a multiple of 2^`levels`,
    /// and whatever `MarchingCubes.extract` throws (NaN values from the field).
    public static func extract(_ field: some ScalarField, bounds: AABB, resolution n: Int, levels: Int? = nil,
                               level: Float = 0, inside: InsideConvention = .lower,
                               normals: Bool = true, lipschitz: Float? = nil) throws -> Result {
        guard n >= 2 else { throw ExtractionError.gridTooSmall(SIMD3(n, n, n)) }
        guard level.isFinite else { throw ExtractionError.nonFiniteLevel(level) }
        let L = levels ?? defaultLevels(resolution: n)
        precondition(lipschitz.map { $0 > 0 && $0.isFinite } ?? true, "lipschitz must be positive and finite")
        guard L >= 0, (n - 1) % (1 << L) == 0 else { throw ExtractionError.incompatibleLevels(resolution: n, levels: L) }
        let cells = n - 1
        let total = n * n * n
        let res = SIMD3(n, n, n)
        let step = ScalarGrid.spacing(resolution: res, bounds: bounds)
        let sgn: Float = inside == .higher ? 1 : -1
        var vals = [Float](repeating: 0, count: total)
        var known = [Bool](repeating: false, count: total)
        var perLevel: [Int] = []
        @inline(__always) func idx(_ i: Int, _ j: Int, _ k: Int) -> Int { (i * n + j) * n + k }
        @inline(__always) func isIn(_ x: Int) -> Bool { sgn * (vals[x] - level) >= 0 }
        func diagonal(_ st: Int) -> Float { length(step * Float(st)) }

        /// Evaluates the field at the listed (not yet known) lattice indices.
        func evaluate(_ list: [Int]) {
            perLevel.append(list.count)
            if list.isEmpty { return }
            let pts = list.map { x -> Vec3 in
                bounds.min + Vec3(Float(x / (n * n)), Float(x / n % n), Float(x % n)) * step
            }
            let v = field.values(at: pts)
            for (x, f) in zip(list, v) { vals[x] = f; known[x] = true }
        }

        // Level 0: the coarse lattice.
        var st = 1 << L
        var list: [Int] = []
        for i in stride(from: 0, through: cells, by: st) { for j in stride(from: 0, through: cells, by: st) {
            for k in stride(from: 0, through: cells, by: st) { list.append(idx(i, j, k)) } } }
        evaluate(list)

        /// Crossed blocks of size `st` among `candidates` (block coordinates), dilated by one block.
        func activeBlocks(_ candidates: [SIMD3<Int>], size st: Int) -> [SIMD3<Int>] {
            let nb = cells / st
            var mark = [Bool](repeating: false, count: nb * nb * nb)
            var out: [SIMD3<Int>] = []
            for b in candidates {
                let o = b &* st
                let first = isIn(idx(o.x, o.y, o.z))
                var crossed = false
                for c in 1..<8 where isIn(idx(o.x + (c & 1) * st, o.y + (c >> 1 & 1) * st, o.z + (c >> 2) * st)) != first {
                    crossed = true; break
                }
                if !crossed, let lip = lipschitz {
                    // An L-Lipschitz field moves by at most L·diagonal inside the block: if every
                    // corner is within that of the level, the surface may pass between the corners.
                    var far = false
                    for c in 0..<8 where abs(vals[idx(o.x + (c & 1) * st, o.y + (c >> 1 & 1) * st, o.z + (c >> 2) * st)] - level) > lip * diagonal(st) {
                        far = true; break
                    }
                    crossed = !far
                }
                if !crossed { continue }
                for dx in -1...1 { for dy in -1...1 { for dz in -1...1 {
                    let q = b &+ SIMD3(dx, dy, dz)
                    guard q.x >= 0, q.y >= 0, q.z >= 0, q.x < nb, q.y < nb, q.z < nb else { continue }
                    let m = (q.x * nb + q.y) * nb + q.z
                    if !mark[m] { mark[m] = true; out.append(q) }
                } } }
            }
            return out
        }

        var nb = cells / st
        var candidates: [SIMD3<Int>] = []
        candidates.reserveCapacity(nb * nb * nb)
        for i in 0..<nb { for j in 0..<nb { for k in 0..<nb { candidates.append(SIMD3(i, j, k)) } } }
        var active = activeBlocks(candidates, size: st)
        while st > 1 {
            // Evaluate the half-step lattice inside every active block; its 8 children become candidates.
            let half = st / 2
            list.removeAll(keepingCapacity: true)
            candidates.removeAll(keepingCapacity: true)
            for b in active {
                let o = b &* st
                for a in 0...2 { for c in 0...2 { for d in 0...2 {
                    let x = idx(o.x + a * half, o.y + c * half, o.z + d * half)
                    if !known[x] { known[x] = true; list.append(x) }
                } } }
                for c in 0..<8 { candidates.append(b &* 2 &+ SIMD3(c & 1, c >> 1 & 1, c >> 2)) }
            }
            for x in list { known[x] = false }
            evaluate(list)
            st = half
            nb = cells / st
            active = activeBlocks(candidates, size: st)
        }
        // Final pass: every corner of an active (dilated crossed) cell.
        list.removeAll(keepingCapacity: true)
        for b in active {
            for c in 0..<8 {
                let x = idx(b.x + (c & 1), b.y + (c >> 1 & 1), b.z + (c >> 2))
                if !known[x] { known[x] = true; list.append(x) }
            }
        }
        for x in list { known[x] = false }
        evaluate(list)

        // Fill: coarse to fine, an unknown point takes the value of its enclosing block's min corner
        // one level up (that block was not subdivided, so its corners share one side).
        st = 1 << L
        while st > 1 {
            let half = st / 2
            for i in stride(from: 0, through: cells, by: half) {
                let pi = min(i / st * st, cells - st)
                for j in stride(from: 0, through: cells, by: half) {
                    let pj = min(j / st * st, cells - st)
                    for k in stride(from: 0, through: cells, by: half) {
                        let x = idx(i, j, k)
                        if known[x] { continue }
                        vals[x] = vals[idx(pi, pj, min(k / st * st, cells - st))]
                        known[x] = true
                    }
                }
            }
            st = half
        }
        let grid = ScalarGrid(resolution: res, bounds: bounds, values: vals)
        let mesh = try MarchingCubes.extract(grid, level: level, inside: inside, normals: normals)
        return Result(mesh: mesh, evaluations: perLevel.reduce(0, +), denseEvaluations: total, evaluationsPerLevel: perLevel)
    }
}
