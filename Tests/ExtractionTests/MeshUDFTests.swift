import Foundation
import Testing
import Fields
import Geometry
import Spatial
import Metrics
@testable import Extraction

/// The unsigned distance `udf` sampled on an n³ grid over [-1, 1]³.
private func udfGrid(_ udf: some ScalarField, _ n: Int) -> ScalarGrid {
    ScalarGrid(sampling: udf, resolution: n, bounds: .cube(halfSize: 1))
}

/// Unsigned distance to the nearer of two fields (two sheets, each its own UDF).
private struct MinUDF<A: ScalarField, B: ScalarField>: ScalarField {
    var a: A, b: B
    func value(at p: Vec3) -> Float { min(a.value(at: p), b.value(at: p)) }
}

/// Chamfer-L1 between `mesh` and a reference surface: ½(mean distance of points on the mesh to the
/// surface, given by `distance`, + mean distance of `reference` points to the mesh, exact via a BVH).
private func chamferL1(_ mesh: TriangleMesh, distance: (Vec3) -> Float, reference: [Vec3]) -> Double {
    let acc = mesh.sampleSurface(count: 20000, seed: 1).points.reduce(0.0) { $0 + Double(distance($1)) } / 20000
    let bvh = TriangleBVH(mesh: mesh)
    let comp = bvh.unsignedDistances(to: reference, gradients: false).distances.reduce(0.0) { $0 + Double($1) } / Double(reference.count)
    return 0.5 * (acc + comp)
}

@Suite("MeshUDF: meshing sampled unsigned distance grids")
struct MeshUDFTests {
    @Test("a sphere r = 0.45 at 128³ off the grid comes out closed, manifold, outward, area within 1%, Chamfer-L1 < 0.002")
    func sphere() throws {
        let sdf = SphereSDF(center: Vec3(0.013, -0.021, 0.007), radius: 0.45)
        let (mesh, stats) = try MeshUDF.extract(udfGrid(UnsignedDistance(sdf), 128))
        let topo = MeshTopology(mesh)
        #expect(topo.boundaryEdges == 0)
        #expect(topo.nonManifoldEdges == 0)
        #expect(topo.inconsistentlyOrientedEdges == 0)
        #expect(topo.eulerCharacteristic == 2 && topo.components == 1)
        #expect(mesh.signedVolume > 0)
        #expect(stats.inconsistentCells == 0)
        let err = abs(mesh.surfaceArea - Double(sdf.area)) / Double(sdf.area)
        #expect(err < 0.01, "area \(mesh.surfaceArea) vs \(sdf.area)")
        let reference = TriangleMesh.icosphere(subdivisions: 5).positions.map { sdf.center + $0 * sdf.radius }
        let cd = chamferL1(mesh, distance: { abs(sdf.value(at: $0)) }, reference: reference)
        #expect(cd < 0.002, "Chamfer-L1 \(cd)")
    }

    @Test("a signed distance grid (negative samples) meshes like its unsigned distance: u = |value − level|")
    func signedInput() throws {
        let sdf = SphereSDF(center: Vec3(0.05, 0.02, -0.03), radius: 0.5)
        let a = try MeshUDF.extract(udfGrid(sdf, 40)).mesh
        let b = try MeshUDF.extract(udfGrid(UnsignedDistance(sdf), 40)).mesh
        #expect(a == b)
        #expect(MeshTopology(a).isWatertight)
    }

    @Test("a torus comes out closed with χ = 0, oriented outward")
    func torus() throws {
        let t = TorusSDF(center: Vec3(0.02, -0.01, 0.03), majorRadius: 0.5, minorRadius: 0.2)
        let mesh = try MeshUDF.extract(udfGrid(UnsignedDistance(t), 64)).mesh
        let topo = MeshTopology(mesh)
        #expect(topo.isWatertight)
        #expect(topo.eulerCharacteristic == 0 && topo.components == 1)
        #expect(topo.inconsistentlyOrientedEdges == 0)
        #expect(mesh.signedVolume > 0)
        #expect(abs(mesh.surfaceArea - Double(t.area)) / Double(t.area) < 0.02, "\(mesh.surfaceArea) vs \(t.area)")
    }

    @Test("an open disc and an open half-sphere stay open: one boundary loop, χ = 1, consistently oriented")
    func openSurfaces() throws {
        let disc = DiscUDF(center: Vec3(0.011, -0.017, 0.023), radius: 0.5)
        let hemi = HemisphereUDF(center: Vec3(-0.012, 0.019, 0.007), radius: 0.5)
        for (name, udf, area) in [("disc", disc as any ScalarField, disc.area), ("half-sphere", hemi as any ScalarField, hemi.area)] {
            let mesh = try MeshUDF.extract(udfGrid(udf, 64)).mesh
            let topo = MeshTopology(mesh)
            #expect(topo.nonManifoldEdges == 0, "\(name)")
            #expect(topo.components == 1, "\(name): \(topo.components) components")
            #expect(boundaryLoops(mesh) == 1, "\(name)")
            #expect(topo.eulerCharacteristic == 1, "\(name): χ = \(topo.eulerCharacteristic)")
            #expect(topo.inconsistentlyOrientedEdges == 0, "\(name)")
            // The rim ends within a cell of the true one: area within 2 rim-length × cell strips.
            let h = 2 / Float(63)
            #expect(abs(mesh.surfaceArea - Double(area)) < Double(2 * .pi * 0.5 * h), "\(name): \(mesh.surfaceArea) vs \(area)")
            #expect(mesh.positions.allSatisfy { udf.value(at: $0) < 0.75 * h }, "\(name): vertices on the surface")
        }
    }

    @Test("two parallel discs 3 cells apart stay two sheets: 2 components, each a disc near its own plane")
    func parallelSheets() throws {
        let n = 64
        let h = 2 / Float(n - 1)
        let lower = DiscUDF(center: Vec3(0.004, 0.003, -0.37 * h), radius: 0.6)
        let upper = DiscUDF(center: Vec3(0.004, 0.003, 2.63 * h), radius: 0.6)
        let mesh = try MeshUDF.extract(udfGrid(MinUDF(a: lower, b: upper), n)).mesh
        let topo = MeshTopology(mesh)
        #expect(topo.components == 2)
        #expect(topo.nonManifoldEdges == 0)
        #expect(boundaryLoops(mesh) == 2)
        #expect(topo.eulerCharacteristic == 2, "χ = \(topo.eulerCharacteristic), two discs")
        #expect(mesh.positions.allSatisfy { min(lower.value(at: $0), upper.value(at: $0)) < 0.75 * h })
        let area = mesh.surfaceArea, want = Double(2 * lower.area)
        #expect(abs(area - want) < Double(2 * 2 * .pi * 0.6 * h), "\(area) vs \(want)")
    }

    @Test("degenerate grids are refused with a typed error: all zero, all far, NaN, too small, non-finite level")
    func badGrids() throws {
        let box = AABB.cube(halfSize: 1)
        let zero = ScalarGrid(resolution: SIMD3(8, 8, 8), bounds: box, values: .init(repeating: 0, count: 512))
        #expect(throws: ExtractionError.degenerateUDF(samples: 512)) { try MeshUDF.extract(zero) }
        let far = ScalarGrid(resolution: SIMD3(8, 8, 8), bounds: box, values: .init(repeating: 3, count: 512))
        #expect(throws: ExtractionError.noSurfaceNearby(smallest: 3, reach: 1.5 * far.spacing.min())) { try MeshUDF.extract(far) }
        var nan = udfGrid(UnsignedDistance(SphereSDF(radius: 0.5)), 8)
        nan.values[9] = .nan
        #expect(throws: ExtractionError.nanInGrid(count: 1, at: SIMD3(0, 1, 1))) { try MeshUDF.extract(nan) }
        let thin = ScalarGrid(resolution: SIMD3(1, 8, 8), bounds: box, values: .init(repeating: 0.1, count: 64))
        #expect(throws: ExtractionError.gridTooSmall(SIMD3(1, 8, 8))) { try MeshUDF.extract(thin) }
        #expect(throws: ExtractionError.nonFiniteLevel(.infinity)) { try MeshUDF.extract(far, options: .init(level: .infinity)) }
    }
}

/// A wavy open sheet (a garment-like height field over [-0.7, 0.7]², 120² vertices).
func wavySheet() -> TriangleMesh {
    let n = 120
    var positions = [Vec3]()
    for i in 0..<n { for j in 0..<n {
        let x = -0.7 + 1.4 * Float(i) / Float(n - 1), y = -0.7 + 1.4 * Float(j) / Float(n - 1)
        positions.append(Vec3(x, y, 0.013 + 0.15 * sin(2.5 * x) * cos(3 * y)))
    } }
    var tris = [SIMD3<UInt32>]()
    for i in 0..<(n - 1) { for j in 0..<(n - 1) {
        let a = UInt32(i * n + j), b = a + UInt32(n)
        tris += [SIMD3(a, b, a + 1), SIMD3(a + 1, b, b + 1)]
    } }
    return TriangleMesh(positions: positions, triangles: tris)
}

@Suite("MeshUDF on a mesh's sampled UDF")
struct MeshUDFMeshTests {
    @Test("a wavy open sheet's exact UDF sampled at 128³ comes back as one sheet: Chamfer-L1 < 0.003, F@1% > 0.99 against the source, one boundary loop")
    func openSheet() throws {
        let sheet = wavySheet()
        let field = MeshDistanceField(mesh: sheet)
        let grid = ScalarGrid(sampling: field, resolution: 128, bounds: .cube(halfSize: 1))
        let clock = ContinuousClock()
        var result: (mesh: TriangleMesh, stats: MeshUDF.Statistics)? = nil
        let t = clock.measure { result = try? MeshUDF.extract(grid) }
        let mesh = try #require(result).mesh
        let topo = MeshTopology(mesh)
        #expect(topo.components == 1 && topo.nonManifoldEdges == 0 && topo.inconsistentlyOrientedEdges == 0)
        #expect(boundaryLoops(mesh) == 1 && topo.eulerCharacteristic == 1)
        let source = sheet.sampleSurface(count: 100_000, seed: 7).points
        let c = BidirectionalCorrespondence(predicted: mesh.sampleSurface(count: 100_000, seed: 8).points, reference: source)
        let cd = ChamferDistance.l1(c), f = FScore(c, threshold: 0.02).value
        #expect(cd < 0.003, "Chamfer-L1 \(cd)")
        #expect(f > 0.99, "F@1% \(f)")
        // The exact-UDF path on the same field, for the README's comparison (not asserted).
        var dual: TriangleMesh? = nil
        let td = clock.measure { dual = try? DualMeshUDF.extract(field, options: .init(depth: 7)).mesh }
        if let dual {
            let cdual = BidirectionalCorrespondence(predicted: dual.sampleSurface(count: 100_000, seed: 8).points, reference: source)
            print("open sheet 128³: MeshUDF CD-L1 \(cd) F@1% \(f) \(t) area \(mesh.surfaceArea) vs \(sheet.surfaceArea); DualMesh-UDF exact depth 7: CD-L1 \(ChamferDistance.l1(cdual)) F@1% \(FScore(cdual, threshold: 0.02).value) \(td) area \(dual.surfaceArea)")
        }
    }
}
