import Testing
import Fields
import Geometry
import Support
import Spatial
@testable import Extraction

/// Number of closed boundary loops (boundary edges chained through shared vertices).
func boundaryLoops(_ m: TriangleMesh) -> Int {
    var use: [UInt64: Int] = [:]
    for t in m.triangles { for k in 0..<3 {
        let a = t[k], b = t[(k + 1) % 3]
        use[undirectedEdgeKey(a, b), default: 0] += 1
    } }
    var parent = [Int: Int]()
    func find(_ x: Int) -> Int { var x = x; while let p = parent[x], p != x { x = p }; return x }
    for (e, c) in use where c == 1 {
        let a = Int(e >> 32), b = Int(e & 0xFFFF_FFFF)
        if parent[a] == nil { parent[a] = a }
        if parent[b] == nil { parent[b] = b }
        let ra = find(a), rb = find(b)
        if ra != rb { parent[ra] = rb }
    }
    return Set(parent.keys.map(find)).count
}

@Suite("DualMesh-UDF extraction")
struct DualMeshUDFTests {
    func closed<F: GradientField>(_ sdf: F, area: Float, name: String, depth: Int = 7) throws {
        let (mesh, stats) = try DualMeshUDF.extract(UnsignedDistance(sdf), options: .init(depth: depth))
        let topo = MeshTopology(mesh)
        let err = abs(mesh.surfaceArea - Double(area)) / Double(area)
        #expect(err < 0.01, "\(name): area \(mesh.surfaceArea) vs \(area)")
        #expect(topo.nonManifoldEdges == 0, "\(name)")
        #expect(topo.boundaryEdges == 0, "\(name)")
        #expect(topo.inconsistentlyOrientedEdges == 0, "\(name)")
        #expect(mesh.signedVolume > 0, "\(name)")
        #expect(stats.missingQuads == 0, "\(name)")
        // vertices on the surface
        let maxDev = mesh.positions.map { abs(sdf.value(at: $0)) }.max() ?? 0
        #expect(maxDev < 0.2 * 2 / 128, "\(name): \(maxDev)")
    }

    @Test("closed surfaces (sphere, torus, rounded box) at default settings: area within 1%, watertight, no non-manifold edge, outward")
    func closedSurfaces() throws {
        try closed(SphereSDF(radius: 0.5), area: SphereSDF(radius: 0.5).area, name: "sphere")
        let torus = TorusSDF(center: Vec3(0.02, -0.01, 0.03), majorRadius: 0.5, minorRadius: 0.2)
        try closed(torus, area: torus.area, name: "torus")
        let box = RoundedBoxSDF(center: Vec3(0.01, 0.02, -0.01), halfExtent: Vec3(0.4, 0.3, 0.25), radius: 0.1)
        try closed(box, area: box.area, name: "rounded box")
    }

    @Test("a sharp box keeps its corners and edges (rank-3 and rank-2 cells) and its area")
    func sharpBox() throws {
        let box = RoundedBoxSDF(center: Vec3(0.013, -0.021, 0.007), halfExtent: Vec3(0.4, 0.3, 0.25), radius: 0)
        let (mesh, stats) = try DualMeshUDF.extract(UnsignedDistance(box))
        let topo = MeshTopology(mesh)
        #expect(topo.isWatertight)
        #expect(topo.eulerCharacteristic == 2)
        #expect(abs(mesh.surfaceArea - Double(box.area)) / Double(box.area) < 0.01, "\(mesh.surfaceArea) vs \(box.area)")
        #expect(stats.corners >= 8, "\(stats)")
        #expect(stats.edges > 4 * 12, "\(stats)")
        // the 8 corners are reproduced within a tenth of a cell
        let h: Float = 2 / 128
        for c in 0..<8 {
            let corner = box.center + Vec3(c & 1 == 1 ? 0.4 : -0.4, c & 2 == 2 ? 0.3 : -0.3, c & 4 == 4 ? 0.25 : -0.25)
            let d = mesh.positions.map { length($0 - corner) }.min()!
            #expect(d < 0.1 * h, "corner \(c): \(d / h) cells")
        }
    }

    @Test("open surfaces (hemisphere, planar disc) keep their boundary and no sheet doubles")
    func openSurfaces() throws {
        for (name, udf, area, chi) in [("hemisphere", HemisphereUDF(radius: 0.5) as any GradientField, HemisphereUDF(radius: 0.5).area, 1),
                                      ("disc", DiscUDF(radius: 0.5) as any GradientField, DiscUDF(radius: 0.5).area, 1)] {
            let (mesh, _) = try DualMeshUDF.extract(udf)
            let topo = MeshTopology(mesh)
            #expect(topo.nonManifoldEdges == 0, "\(name)")
            #expect(topo.boundaryEdges > 0, "\(name)")
            #expect(boundaryLoops(mesh) == 1, "\(name)")
            #expect(topo.eulerCharacteristic == chi, "\(name): χ = \(topo.eulerCharacteristic)")
            #expect(topo.inconsistentlyOrientedEdges == 0, "\(name)")
            #expect(abs(mesh.surfaceArea - Double(area)) / Double(area) < 0.03, "\(name): \(mesh.surfaceArea) vs \(area)")
        }
    }

    @Test("from a mesh's exact UDF (BVH): a torus mesh comes back watertight, genus 1, with the mesh's area")
    func meshUDF() throws {
        let torus = TriangleMesh.torus(major: 0.5, minor: 0.2, majorSegments: 96, minorSegments: 48)
        let udf = MeshDistanceField(mesh: torus)
        let (mesh, _) = try DualMeshUDF.extract(udf, options: .init(depth: 6))
        let topo = MeshTopology(mesh)
        #expect(topo.isWatertight)
        #expect(topo.eulerCharacteristic == 0)
        #expect(topo.inconsistentlyOrientedEdges == 0)
        #expect(mesh.signedVolume > 0)
        #expect(abs(mesh.surfaceArea - torus.surfaceArea) / torus.surfaceArea < 0.01, "\(mesh.surfaceArea) vs \(torus.surfaceArea)")
    }

    @Test("the least-squares point is exact for planes meeting at a corner, an edge, or one plane")
    func leastSquares() {
        var q = PlaneLeastSquares(center: Vec3(0.1, 0.1, 0.1))
        q.add(point: Vec3(0.3, 0, 0), normal: Vec3(1, 0, 0))
        q.add(point: Vec3(0, -0.2, 0), normal: Vec3(0, 1, 0))
        q.add(point: Vec3(0, 0, 0.5), normal: Vec3(0, 0, 1))
        let (p, r) = q.solve()
        #expect(r == 3 && length(p - Vec3(0.3, -0.2, 0.5)) < 1e-6)
        var e = PlaneLeastSquares(center: Vec3(0, 0, 0.7))
        e.add(point: Vec3(0.3, 0, 0), normal: Vec3(1, 0, 0))
        e.add(point: Vec3(0, -0.2, 0), normal: normalize(Vec3(1, 1, 0)))
        let (pe, re) = e.solve()
        #expect(re == 2 && abs(pe.z - 0.7) < 1e-6 && abs(pe.x - 0.3) < 1e-6)
        var f = PlaneLeastSquares(center: Vec3(1, 2, 3))
        f.add(point: .zero, normal: Vec3(0, 0, 1)); f.add(point: Vec3(5, 5, 0), normal: Vec3(0, 0, 1))
        let (pf, rf) = f.solve()
        #expect(rf == 1 && length(pf - Vec3(1, 2, 0)) < 1e-6)
    }

    @Test("an empty field, and bad options")
    func edges() throws {
        let far = UnsignedDistance(SphereSDF(center: Vec3(5, 5, 5), radius: 0.5))
        let (m, s) = try DualMeshUDF.extract(far, options: .init(depth: 5))
        #expect(m.isEmpty && s.keptCells == 0)
        #expect(throws: ExtractionError.self) { try DualMeshUDF.extract(far, options: .init(depth: 0)) }
        #expect(throws: ExtractionError.self) { try DualMeshUDF.extract(far, options: .init(surfaceTolerance: 0)) }
    }
}
