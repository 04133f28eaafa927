import Testing
import Fields
import Geometry
import Support
@testable import Extraction

/// Distance of every vertex to the analytic surface (|SDF|): mean and max.
func surfaceDeviation(_ mesh: TriangleMesh, _ sdf: some ScalarField) -> (mean: Double, max: Double) {
    var s = 0.0, m = 0.0
    for p in mesh.positions { let d = Double(abs(sdf.value(at: p))); s += d; m = Swift.max(m, d) }
    return (s / Double(max(1, mesh.vertexCount)), m)
}

/// Mean cos between the mesh's face normals and the analytic gradient at face centroids
/// (1 = perfectly aligned and outward).
func normalAgreement(_ mesh: TriangleMesh, _ sdf: some GradientField) -> Double {
    var s = 0.0, n = 0
    for f in 0..<mesh.faceCount {
        let (a, b, c) = mesh.corners(f)
        let fn = normalize(mesh.faceNormalScaled(f))
        if lengthSquared(fn) == 0 { continue }
        let g = sdf.valueAndGradient(at: (a + b + c) / 3).1
        s += Double(dot(fn, g)); n += 1
    }
    return s / Double(max(n, 1))
}

/// Random noise in [−1, 1] surrounded by a one-sample layer of +1 (outside for the SDF convention),
/// so the extracted surface must be closed.
func paddedNoise(n: Int, seed: UInt64) -> ScalarGrid {
    var g = SeededRandom(seed: seed)
    var v = [Float](repeating: 1, count: n * n * n)
    for i in 1..<(n - 1) { for j in 1..<(n - 1) { for k in 1..<(n - 1) { v[(i * n + j) * n + k] = g.uniform(-1, 1) } } }
    return ScalarGrid(resolution: SIMD3(n, n, n), bounds: .cube(halfSize: 1), values: v)
}

/// The triangles of a mesh as canonical position triples (rotation-invariant, orientation kept).
func triangleSet(_ m: TriangleMesh) -> [[Float]] {
    var out: [[Float]] = []
    for f in 0..<m.faceCount {
        let (a, b, c) = m.corners(f)
        let rots = [[a, b, c], [b, c, a], [c, a, b]].map { $0.flatMap { [$0.x, $0.y, $0.z] } }
        out.append(rots.min { $0.lexicographicallyPrecedes($1) }!)
    }
    return out.sorted { $0.lexicographicallyPrecedes($1) }
}

/// Naive oracle: every cell on its own with the same tables and the same decider, vertices welded
/// afterwards by exact position. Slow and simple; the optimized slab code must agree with it exactly.
func naiveMarchingCubes(_ grid: ScalarGrid, level: Float, inside: InsideConvention) -> TriangleMesh {
    let T = MarchingCubesTables.shared
    let sgn: Float = inside == .higher ? 1 : -1
    let r = grid.resolution, h = grid.spacing, o = grid.bounds.min
    var positions: [Vec3] = [], tris: [SIMD3<UInt32>] = []
    var weld: [SIMD3<Float>: UInt32] = [:]
    func id(_ p: Vec3) -> UInt32 {
        if let v = weld[p] { return v }
        positions.append(p); weld[p] = UInt32(positions.count - 1); return UInt32(positions.count - 1)
    }
    for i in 0..<(r.x - 1) { for j in 0..<(r.y - 1) { for k in 0..<(r.z - 1) {
        var s = [Float](repeating: 0, count: 8), cs = 0
        for c in 0..<8 {
            s[c] = sgn * (grid[i + (c & 1), j + (c >> 1 & 1), k + (c >> 2)] - level)
            if s[c] >= 0 { cs |= 1 << c }
        }
        var fb = 0
        for f in 0..<6 where (T.ambiguousFaces[cs] >> f) & 1 == 1 {
            let q = MarchingCubesTables.faceCorners[f]
            let p02 = s[q[0]] * s[q[2]], p13 = s[q[1]] * s[q[3]]
            if s[q[0]] >= 0 ? (p02 - p13 >= 0) : (p13 - p02 >= 0) { fb |= 1 << f }
        }
        var config = cs | fb << 8
        for v in Int(T.variantStart[config])..<Int(T.variantStart[config + 1]) {
            let c = T.variantCorners[v]
            if MarchingCubesTables.interiorConnected(s, Int(c.x), Int(c.y), positive: T.variantPositive[v]) {
                config = Int(T.variantEntry[v]); break
            }
        }
        func edgePoint(_ e: Int) -> Vec3 {
            let (a, b) = MarchingCubesTables.edgeCorners[e]
            let axis = e / 4
            let t = s[a] / (s[a] - s[b])
            var g = Vec3(Float(i + (a & 1)), Float(j + (a >> 1 & 1)), Float(k + (a >> 2)))
            g[axis] += t
            return o + g * h
        }
        var centers: [Vec3] = []
        for cidx in Int(T.centerStart[config])..<Int(T.centerStart[config + 1]) {
            var p = Vec3.zero
            let e0 = Int(T.centerEdgeStart[cidx]), e1 = Int(T.centerEdgeStart[cidx + 1])
            for q in e0..<e1 { p += edgePoint(Int(T.centerEdges[q])) }
            centers.append(p / Float(e1 - e0))
        }
        var t = Int(T.triangleStart[config])
        while t < Int(T.triangleStart[config + 1]) {
            var tri = SIMD3<UInt32>.zero
            for c in 0..<3 {
                let ref = Int(T.triangleRefs[t + c])
                tri[c] = id(ref < 12 ? edgePoint(ref) : centers[ref - 12])
            }
            tris.append(tri); t += 3
        }
    } } }
    return TriangleMesh(positions: positions, triangles: tris)
}

@Suite("Marching cubes")
struct MarchingCubesTests {
    @Test("a sphere SDF at 64³ is a watertight, outward, genus-0 surface close to the sphere")
    func sphere() throws {
        let sdf = SphereSDF(radius: 0.6)
        let grid = ScalarGrid(sampling: sdf, resolution: 64, bounds: .cube(halfSize: 1))
        let mesh = try MarchingCubes.extract(grid, level: 0, inside: .lower)
        let topo = MeshTopology(mesh)
        #expect(topo.isWatertight)
        #expect(topo.eulerCharacteristic == 2)
        #expect(topo.inconsistentlyOrientedEdges == 0)
        #expect(topo.components == 1)
        #expect(mesh.signedVolume > 0)
        let dev = surfaceDeviation(mesh, sdf)
        let h = Double(grid.spacing.x)
        #expect(dev.max < 0.05 * h)
        let volume = 4 / 3 * Double.pi * 0.216
        #expect(abs(mesh.signedVolume - volume) / volume < 0.01)
        #expect(abs(mesh.surfaceArea - Double(sdf.area)) / Double(sdf.area) < 0.01)
        #expect(normalAgreement(mesh, sdf) > 0.99)
        // vertex normals are outward and agree with the analytic ones
        var nc = 0.0
        for (p, n) in zip(mesh.positions, mesh.normals!) { nc += Double(dot(n, sdf.valueAndGradient(at: p).1)) }
        #expect(nc / Double(mesh.vertexCount) > 0.999)
    }

    @Test("extractClosed closes a solid cut by the grid's border just beyond it, and leaves a solid inside the border bit for bit as extract does")
    func closedAtTheBorder() throws {
        // A sphere of radius 1.2 cut by the cube [-1, 1]³: open at the six faces under `extract`.
        let cut = ScalarGrid(sampling: SphereSDF(radius: 1.2), resolution: 24, bounds: .cube(halfSize: 1))
        let open = try MarchingCubes.extract(cut, level: 0, inside: .lower)
        #expect(MeshTopology(open).boundaryEdges > 0)
        let closed = try MarchingCubes.extractClosed(cut, level: 0, inside: .lower)
        let topo = MeshTopology(closed)
        #expect(topo.isWatertight && topo.eulerCharacteristic == 2 && topo.inconsistentlyOrientedEdges == 0 && closed.signedVolume > 0)
        let h = cut.spacing.x
        #expect(closed.positions.allSatisfy { max(abs($0.x), abs($0.y), abs($0.z)) <= 1 + h * 1.0001 }, "within one step beyond the border")
        // Occupancy convention, solid at one corner point only.
        var corner = ScalarGrid(resolution: SIMD3(3, 3, 3), bounds: .cube(halfSize: 1), values: [Float](repeating: 0, count: 27))
        corner.values[0] = 1
        #expect(MeshTopology(try MarchingCubes.extractClosed(corner, level: 0.5, inside: .higher)).isWatertight)
        // Inside the border: the very mesh of `extract`.
        let inner = ScalarGrid(sampling: SphereSDF(radius: 0.6), resolution: 24, bounds: .cube(halfSize: 1))
        #expect(try MarchingCubes.extractClosed(inner, level: 0, inside: .lower) == MarchingCubes.extract(inner, level: 0, inside: .lower))
    }

    @Test("a torus SDF at 64³ is watertight with Euler characteristic 0 and the torus's area")
    func torus() throws {
        let sdf = TorusSDF(center: Vec3(0.01, -0.02, 0.03), majorRadius: 0.55, minorRadius: 0.22)
        let grid = ScalarGrid(sampling: sdf, resolution: 64, bounds: .cube(halfSize: 1))
        let mesh = try MarchingCubes.extract(grid, level: 0, inside: .lower)
        let topo = MeshTopology(mesh)
        #expect(topo.isWatertight)
        #expect(topo.eulerCharacteristic == 0)
        #expect(topo.inconsistentlyOrientedEdges == 0)
        #expect(mesh.signedVolume > 0)
        #expect(abs(mesh.surfaceArea - Double(sdf.area)) / Double(sdf.area) < 0.015)
        #expect(normalAgreement(mesh, sdf) > 0.99)
        #expect(surfaceDeviation(mesh, sdf).max < 0.05 * Double(grid.spacing.x))
    }

    @Test("inside = higher on the negated field gives the same outward surface; the level shifts it")
    func conventionsAndLevel() throws {
        let sdf = SphereSDF(center: Vec3(0.05, 0, -0.03), radius: 0.5)
        let grid = ScalarGrid(sampling: sdf, resolution: 40, bounds: .cube(halfSize: 1))
        let occ = ScalarGrid(resolution: grid.resolution, bounds: grid.bounds, values: grid.values.map { -$0 })
        let a = try MarchingCubes.extract(grid, level: 0, inside: .lower)
        let b = try MarchingCubes.extract(occ, level: 0, inside: .higher)
        #expect(triangleSet(a) == triangleSet(b))
        #expect(b.signedVolume > 0)
        // level 0.2 on the SDF is the sphere of radius 0.7
        let c = try MarchingCubes.extract(grid, level: 0.2, inside: .lower)
        let big = SphereSDF(center: sdf.center, radius: 0.7)
        #expect(surfaceDeviation(c, big).max < 0.05 * Double(grid.spacing.x))
        #expect(MeshTopology(c).isWatertight)
    }

    @Test("every one of the 255 non-trivial cell cases, with random ambiguous-face outcomes, closes into a manifold")
    func allCases() throws {
        // One cell in the middle of a 4³ lattice whose other points are outside.
        var g = SeededRandom(seed: 7)
        var seen = Set<Int>()
        for cs in 1..<255 {
            for _ in 0..<6 {
                var v = [Float](repeating: 1, count: 64)
                for c in 0..<8 {
                    let idx = ((1 + (c & 1)) * 4 + 1 + (c >> 1 & 1)) * 4 + 1 + (c >> 2)
                    v[idx] = (cs >> c) & 1 == 1 ? -g.uniform(0.05, 1) : g.uniform(0.05, 1)
                }
                let grid = ScalarGrid(resolution: SIMD3(4, 4, 4), bounds: .cube(halfSize: 1), values: v)
                let m = try MarchingCubes.extract(grid, level: 0, inside: .lower)
                let topo = MeshTopology(m)
                #expect(topo.isWatertight, "case \(cs)")
                #expect(topo.inconsistentlyOrientedEdges == 0, "case \(cs)")
                #expect(m.signedVolume > 0, "case \(cs)")
                #expect(topo.eulerCharacteristic % 2 == 0, "case \(cs)")
                seen.insert(cs)
            }
        }
        #expect(seen.count == 254)
    }

    @Test("the interior test agrees with a flood fill of the trilinear interpolant on a fine lattice")
    func interiorOracle() {
        var g = SeededRandom(seed: 11)
        let n = 24
        var disagree = 0, connectedCount = 0, trials = 0
        for _ in 0..<300 {
            // corners 0 and 7 (opposite) inside, the others outside: MC33 case 4, the classic tunnel.
            var s = (0..<8).map { _ in -g.uniform(0.05, 1) }
            s[0] = g.uniform(0.05, 1); s[7] = g.uniform(0.05, 1)
            if g.nextFloat() < 0.5 { s[6] = g.uniform(0.05, 1) }   // case 6 variant sometimes
            func f(_ x: Float, _ y: Float, _ z: Float) -> Float {
                var v: Float = 0
                for c in 0..<8 {
                    v += s[c] * (c & 1 == 1 ? x : 1 - x) * (c & 2 == 2 ? y : 1 - y) * (c & 4 == 4 ? z : 1 - z)
                }
                return v
            }
            var seen = Set<Int>([0]), stack = [0]
            while let p = stack.popLast() {
                let i = p / (n * n), j = p / n % n, k = p % n
                for (di, dj, dk) in [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)] {
                    let a = i + di, b = j + dj, c = k + dk
                    guard a >= 0, b >= 0, c >= 0, a < n, b < n, c < n else { continue }
                    let q = (a * n + b) * n + c
                    if !seen.contains(q) && f(Float(a) / Float(n - 1), Float(b) / Float(n - 1), Float(c) / Float(n - 1)) >= 0 {
                        seen.insert(q); stack.append(q)
                    }
                }
            }
            let flood = seen.contains(n * n * n - 1)
            let exact = MarchingCubesTables.interiorConnected(s, 0, 7, positive: true)
            trials += 1
            if flood != exact { disagree += 1 }
            if exact { connectedCount += 1 }
        }
        #expect(disagree <= trials / 50, "\(disagree) of \(trials)")
        #expect(connectedCount > 20 && connectedCount < trials - 20, "both outcomes must be exercised: \(connectedCount)")
    }

    @Test("MC33 case 4 with a tunnel: two opposite inside corners joined through the cell give one closed tube, not two spheres")
    func tunnel() throws {
        func grid(_ outside: Float) -> ScalarGrid {
            var v = [Float](repeating: 1, count: 64)   // inside = lower: +1 is outside
            for c in 0..<8 {
                let idx = ((1 + (c & 1)) * 4 + 1 + (c >> 1 & 1)) * 4 + 1 + (c >> 2)
                v[idx] = (c == 0 || c == 7) ? -1 : outside
            }
            return ScalarGrid(resolution: SIMD3(4, 4, 4), bounds: .cube(halfSize: 1), values: v)
        }
        let joined = try MarchingCubes.extract(grid(0.1))   // centre value (−2 + 0.6)/8 < 0: joined
        let apart = try MarchingCubes.extract(grid(0.9))    // centre (−2 + 5.4)/8 > 0: separate
        let tj = MeshTopology(joined), ta = MeshTopology(apart)
        #expect(tj.isWatertight && tj.inconsistentlyOrientedEdges == 0 && joined.signedVolume > 0)
        #expect(tj.components == 1 && tj.eulerCharacteristic == 2)
        #expect(ta.isWatertight && ta.components == 2 && ta.eulerCharacteristic == 4)
    }

    @Test("noise grids (every ambiguity, both conventions, several seeds) give closed manifold, consistently oriented surfaces")
    func noise() throws {
        for seed in 0..<4 as Range<UInt64> {
            let lower = paddedNoise(n: 20, seed: seed)
            for inside in InsideConvention.allCases {
                // For inside = higher the negated grid keeps the padding outside.
                let grid = inside == .lower ? lower
                    : ScalarGrid(resolution: lower.resolution, bounds: lower.bounds, values: lower.values.map { -$0 })
                let level: Float = inside == .lower ? 0.1 : -0.1
                let mesh = try MarchingCubes.extract(grid, level: level, inside: inside)
                let topo = MeshTopology(mesh)
                #expect(topo.boundaryEdges == 0)
                #expect(topo.nonManifoldEdges == 0)
                #expect(topo.inconsistentlyOrientedEdges == 0)
                #expect(mesh.signedVolume > 0)
                #expect(topo.eulerCharacteristic % 2 == 0)
            }
            // Unpadded noise reaching the border: boundary edges only on the grid's faces.
            var rng = SeededRandom(seed: seed + 100)
            let raw = ScalarGrid(resolution: SIMD3(9, 13, 11), bounds: .cube(halfSize: 1),
                                 values: (0..<(9 * 13 * 11)).map { _ in rng.uniform(-1, 1) })
            let open = try MarchingCubes.extract(raw, level: 0, inside: .lower)
            #expect(MeshTopology(open).nonManifoldEdges == 0)
            #expect(MeshTopology(open).inconsistentlyOrientedEdges == 0)
        }
    }

    @Test("the slab-parallel extraction equals the naive per-cell oracle, for any number of slabs")
    func oracle() throws {
        for seed in 0..<3 as Range<UInt64> {
            var rng = SeededRandom(seed: seed)
            let res = SIMD3(11, 7, 9)
            let grid = ScalarGrid(resolution: res, bounds: AABB(min: Vec3(-1, -0.5, 0), max: Vec3(2, 1, 1)),
                                  values: (0..<(res.x * res.y * res.z)).map { _ in rng.uniform(-1, 1) })
            let oracle = naiveMarchingCubes(grid, level: 0.05, inside: .lower)
            for slabs in [1, 2, 3, 10] {
                let m = try MarchingCubes.extract(grid, level: 0.05, inside: .lower, normals: true, slabCount: slabs)
                #expect(m.vertexCount == oracle.vertexCount, "each crossed edge gives exactly one vertex (\(slabs) slabs)")
                #expect(triangleSet(m) == triangleSet(oracle), "\(slabs) slabs")
                #expect(m.normals?.count == m.vertexCount)
            }
        }
    }

    @Test("all-inside and all-outside grids extract to the empty mesh")
    func empty() throws {
        let res = SIMD3(5, 6, 7)
        for v: Float in [-1, 1] {
            let g = ScalarGrid(resolution: res, bounds: .cube(halfSize: 1), values: [Float](repeating: v, count: 210))
            #expect(try MarchingCubes.extract(g).isEmpty)
            #expect(try MarchingCubes.extract(g).vertexCount == 0)
        }
    }

    @Test("NaN values, a flat grid and a non-finite level are typed errors")
    func badInput() throws {
        var v = [Float](repeating: 1, count: 27)
        v[13] = .nan; v[20] = .nan
        let g = ScalarGrid(resolution: SIMD3(3, 3, 3), bounds: .cube(halfSize: 1), values: v)
        #expect(throws: ExtractionError.nanInGrid(count: 2, at: SIMD3(1, 1, 1))) { try MarchingCubes.extract(g) }
        let flat = ScalarGrid(resolution: SIMD3(4, 1, 4), bounds: .cube(halfSize: 1), values: [Float](repeating: 0, count: 16))
        #expect(throws: ExtractionError.gridTooSmall(SIMD3(4, 1, 4))) { try MarchingCubes.extract(flat) }
        let ok = ScalarGrid(resolution: SIMD3(2, 2, 2), bounds: .cube(halfSize: 1), values: [Float](repeating: 0, count: 8))
        #expect(throws: ExtractionError.nonFiniteLevel(.infinity)) { try MarchingCubes.extract(ok, level: .infinity) }
        #expect(ExtractionError.nanInGrid(count: 2, at: SIMD3(1, 1, 1)).description.contains("NaN"))
    }
}
