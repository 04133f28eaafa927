import Foundation
import Testing
import Geometry
@testable import MeshIO

private let regenerate = ProcessInfo.processInfo.environment["OCTOPLANE_REGENERATE_ASSETS"] == "1"

@Suite("Bundled assets", .serialized)
struct AssetsTests {
    func load(_ rel: String) throws -> LoadedMesh { try MeshLoader.load(path: "\(AssetGenerator.repoRoot)/\(rel)") }

    /// Committed assets are not compared byte for byte with the generator: it builds on Geometry's
    /// primitives, which may be refined by others; the tests below check what matters instead.
    @Test("every generated asset is committed (and rewritten when OCTOPLANE_REGENERATE_ASSETS=1)")
    func generatedAssetsExist() throws {
        for (rel, bytes) in AssetGenerator.generatedFiles() {
            let path = "\(AssetGenerator.repoRoot)/\(rel)"
            if regenerate {
                try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
                try MeshIOError.atomically(path) { try $0.write(contentsOf: bytes) }
            }
            #expect(FileManager.default.fileExists(atPath: path), "\(rel) is missing: run Scripts/make-assets.sh")
        }
        if regenerate && haveAssimpModels {
            // Copies of BSD-3 assimp test models (see Assets/README.md).
            let spider = try Data(contentsOf: URL(fileURLWithPath: "\(assimpModels)/STL/Spider_binary.stl"))
            try MeshIOError.atomically("\(AssetGenerator.repoRoot)/Assets/meshes/spider.stl") { try $0.write(contentsOf: spider) }
            let wuson = try MeshLoader.load(path: "\(assimpModels)/STL/Wuson.stl").mesh
            try MeshWriter.write(wuson, to: "\(AssetGenerator.repoRoot)/Assets/meshes/wuson.ply")
        }
    }

    @Test("every bundled mesh loads, the generated ones closed and consistently oriented")
    func bundledLoad() throws {
        for (name, _) in AssetGenerator.bundledPrimitives() {
            let m = try load("Assets/meshes/\(name)").mesh
            let t = MeshTopology(m)
            #expect(t.isWatertight && t.inconsistentlyOrientedEdges == 0, "\(name)")
            #expect(m.signedVolume > 0, "\(name) is outward")
            #expect(m.bounds.longestSide <= 1.0001, "\(name) fits the unit cube")
        }
        #expect(MeshTopology(try load("Assets/meshes/torus.ply").mesh).eulerCharacteristic == 0)
        #expect(MeshTopology(try load("Assets/meshes/chair.ply").mesh).components == 6)
        for name in ["spider.stl", "wuson.ply"] {
            let m = try load("Assets/meshes/\(name)").mesh
            #expect(m.faceCount > 1000, "\(name)")
        }
        let total = try FileManager.default.contentsOfDirectory(atPath: "\(AssetGenerator.repoRoot)/Assets/meshes").reduce(0) {
            $0 + ((try FileManager.default.attributesOfItem(atPath: "\(AssetGenerator.repoRoot)/Assets/meshes/\($1)")[.size] as? Int) ?? 0)
        }
        #expect(total < 300_000)
    }

    @Test("each hard mesh is hard in the way Assets/README.md says")
    func hardMeshesAreHard() throws {
        func topo(_ name: String) throws -> (MeshTopology, LoadReport, TriangleMesh) {
            let l = try load("Assets/hard/\(name)")
            return (MeshTopology(l.mesh.weldedByPosition().mesh), l.report, l.mesh)
        }
        var (t, r, m) = try topo("hole.obj")
        #expect(t.boundaryEdges > 0 && !t.isWatertight)
        (t, r, m) = try topo("flipped-faces.obj")
        #expect(t.isWatertight && t.inconsistentlyOrientedEdges > 0)
        (t, r, m) = try topo("duplicate-triangles.obj")
        #expect(t.nonManifoldEdges == 18 && abs(m.surfaceArea - 12) < 1e-5)
        (t, r, m) = try topo("degenerate-triangles.obj")
        #expect(r.droppedDegenerate == 4 && t.isWatertight)
        (t, r, m) = try topo("single-triangle.obj")
        #expect(m.faceCount == 1 && t.boundaryEdges == 3 && m.bounds.extent.z == 0)
        #expect(throws: MeshIOError.allDegenerate(path: "\(AssetGenerator.repoRoot)/Assets/hard/zero-area.obj", faces: 3)) {
            try load("Assets/hard/zero-area.obj")
        }
        (t, r, m) = try topo("non-manifold-edge.obj")
        #expect(t.nonManifoldEdges == 2)
        (t, r, m) = try topo("non-manifold-vertex.obj")
        #expect(t.isWatertight && t.components == 1 && t.eulerCharacteristic == 3)
        (t, r, m) = try topo("interpenetrating.obj")
        #expect(t.isWatertight && t.components == 2)
        (t, r, m) = try topo("far-away.obj")
        #expect(m.bounds.max.x > 1e6 && m.bounds.min.x <= 0 && t.components == 2)
        let (n, _) = m.normalized(.nfd)
        #expect(abs(n.bounds.longestSide - 2) < 1e-5)
        (t, r, m) = try topo("nan-vertices.obj")
        #expect(r.droppedNonFinite == 2 && t.isWatertight && m.faceCount == 12)
    }

    @Test("Assets/README.md lists every hard mesh")
    func readmeListsHardMeshes() throws {
        let readme = try String(contentsOfFile: "\(AssetGenerator.repoRoot)/Assets/README.md", encoding: .utf8)
        for h in AssetGenerator.hardMeshes() { #expect(readme.contains("`\(h.name)`"), "\(h.name) missing from Assets/README.md") }
    }
}
