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

/// Mean |cos| between the mesh's face normals and the analytic normals at face centroids.
func normalConsistency(_ mesh: TriangleMesh, _ sdf: some GradientField) -> Double {
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

/// Random noise in [−1, 1] surrounded by a one-sample layer of +1 (outside for SDF convention),
/// so the extracted surface must be closed.
func paddedNoise(n: Int, seed: UInt64) -> ScalarGrid {
    var g = SeededRandom(seed: seed)
    var v = [Float](repeating: 1, count: n * n * n)
    for i in 1..<(n - 1) { for j in 1..<(n - 1) { for k in 1..<(n - 1) { v[(i * n + j) * n + k] = g.uniform(-1, 1) } } }
    return ScalarGrid(resolution: SIMD3(n, n, n), bounds: .cube(halfSize: 1), values: v)
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
        #expect(abs(mesh.signedVolume - 4 / 3 * .pi * 0.216) / (4 / 3 * .pi * 0.216) < 0.01)
        #expect(normalConsistency(mesh, sdf) > 0.99)
        // vertex normals are outward and agree with the analytic ones
        var nc = 0.0
        for (p, n) in zip(mesh.positions, mesh.normals!) { nc += Double(dot(n, sdf.valueAndGradient(at: p).1)) }
        #expect(nc / Double(mesh.vertexCount) > 0.999)
    }

    @Test("noise grids padded with an outside layer give closed manifold surfaces (ambiguous cells)")
    func noise() throws {
        for seed in 0..<4 as Range<UInt64> {
            let grid = paddedNoise(n: 24, seed: seed)
            for inside in InsideConvention.allCases {
                let mesh = try MarchingCubes.extract(grid, level: 0.1, inside: inside)
                let topo = MeshTopology(mesh)
                #expect(topo.boundaryEdges == 0 || inside == .higher)
                #expect(topo.nonManifoldEdges == 0)
                #expect(topo.inconsistentlyOrientedEdges == 0)
                print(seed, inside, mesh.faceCount, topo)
            }
        }
    }
}
