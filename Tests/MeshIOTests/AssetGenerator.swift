import Foundation
import Geometry
@testable import MeshIO

/// The generator of `Assets/meshes` (bundled demo meshes) and `Assets/hard` (known-hard regression
/// meshes). `Scripts/make-assets.sh` runs the `AssetsTests` suite with
/// `OCTOPLANE_REGENERATE_ASSETS=1`, which rewrites the files; without it the suite checks that the
/// committed files are exactly what this code produces and that each hard mesh is hard in the way
/// `Assets/README.md` says.
enum AssetGenerator {
    /// The repository root, found from this file's path.
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Meshes built from Geometry's primitives (binary PLY).
    static func bundledPrimitives() -> [(name: String, mesh: TriangleMesh)] {
        let icosphere = TriangleMesh.icosphere(subdivisions: 3, radius: 0.5)
        let torus = TriangleMesh.torus(major: 0.35, minor: 0.12, majorSegments: 32, minorSegments: 16)
        let box = TriangleMesh.box(size: [0.8, 0.5, 0.3], bevel: 0.05, bevelSegments: 2)
        // A goblet: a closed revolved profile (base, stem, cup), y up.
        let goblet = TriangleMesh.revolved(profile: [
            [0, 0], [0.25, 0], [0.25, 0.03], [0.05, 0.06], [0.04, 0.35], [0.1, 0.4], [0.28, 0.55], [0.3, 0.8],
            [0.27, 0.8], [0.25, 0.58], [0.08, 0.44], [0, 0.44],
        ], segments: 40)
        // A chair in the ShapeNet manner: seat, back and four legs, separate closed boxes.
        var chair = TriangleMesh.box(size: [0.5, 0.06, 0.5], center: [0, 0.45, 0])
        chair.append(.box(size: [0.5, 0.5, 0.06], center: [0, 0.73, -0.22]))
        for x: Float in [-0.21, 0.21] { for z: Float in [-0.21, 0.21] {
            chair.append(.box(size: [0.05, 0.42, 0.05], center: [x, 0.21, z]))
        } }
        return [("icosphere.ply", icosphere), ("torus.ply", torus), ("bevelled-box.ply", box),
                ("goblet.ply", goblet), ("chair.ply", chair)]
    }

    /// A known-hard mesh: the file name, the OBJ text and what makes it hard.
    struct Hard { var name: String; var mesh: TriangleMesh; var why: String }

    static func hardMeshes() -> [Hard] {
        let sphere = TriangleMesh.icosphere(subdivisions: 2, radius: 0.5)
        var out: [Hard] = []

        var hole = sphere
        hole.triangles.removeSubrange(0..<5)
        out.append(Hard(name: "hole.obj", mesh: hole.compacted().mesh,
                        why: "icosphere with 5 adjacent-by-index faces removed: an open boundary, not watertight, inside/outside ill-defined near the hole"))

        var flipped = sphere
        for f in stride(from: 0, to: flipped.faceCount, by: 7) { let t = flipped.triangles[f]; flipped.triangles[f] = SIMD3(t.x, t.z, t.y) }
        out.append(Hard(name: "flipped-faces.obj", mesh: flipped,
                        why: "closed icosphere with every 7th face's winding reversed: inconsistently oriented edges, signed volume and normals unreliable"))

        var dup = TriangleMesh.box(size: [1, 1, 1])
        dup.triangles += dup.triangles
        out.append(Hard(name: "duplicate-triangles.obj", mesh: dup,
                        why: "a cube whose 12 triangles are each stored twice: every edge used by 4 faces (non-manifold), area doubled, parity tests count crossings twice"))

        var degenerate = sphere
        let n = UInt32(degenerate.vertexCount)
        degenerate.positions += [[0.6, 0, 0], [0.7, 0, 0], [0.8, 0, 0]]
        degenerate.triangles += [[0, 0, 1], [2, 3, 3], [n, n + 1, n + 2], [4, 5, 4]]
        out.append(Hard(name: "degenerate-triangles.obj", mesh: degenerate,
                        why: "icosphere plus 3 triangles with a repeated index and 1 with three collinear corners (zero area, no normal)"))

        out.append(Hard(name: "single-triangle.obj", mesh: TriangleMesh(positions: [[0, 0, 0], [1, 0, 0], [0, 1, 0]], triangles: [[0, 1, 2]]),
                        why: "one triangle: flat (zero extent along z), 3 boundary edges, no volume"))

        out.append(Hard(name: "zero-area.obj", mesh: TriangleMesh(positions: [[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 3]], triangles: [[0, 1, 2], [1, 2, 3], [0, 2, 3]]),
                        why: "only collinear triangles: every face has zero area, so loading must refuse it (allDegenerate)"))

        var fin = TriangleMesh(positions: [[0, 0, 0], [1, 0, 0], [0.5, 1, 0], [0.5, -1, 0], [0.5, 0, 1]],
                               triangles: [[0, 1, 2], [1, 0, 3], [0, 1, 4]])
        var cubes = TriangleMesh.box(size: [1, 1, 1], center: [3, 0.5, 0.5])
        cubes.append(.box(size: [1, 1, 1], center: [4, 1.5, 0.5]))  // shares the edge x = 3.5, y = 1 with the first
        fin.append(cubes)
        out.append(Hard(name: "non-manifold-edge.obj", mesh: fin.weldedByPosition().mesh,
                        why: "three triangles on one edge (a fin) and two cubes sharing one edge: edges used by 3 and 4 faces"))

        var bowtie = TriangleMesh.cylinder(radius: 0.3, topRadius: 0, height: 0.5, segments: 12, center: [0, 0.25, 0])
        var mirrored = bowtie
        mirrored.positions = mirrored.positions.map { Vec3($0.x, 1 - $0.y, $0.z) }  // exact: the tips coincide at y = 0.5
        bowtie.append(mirrored.flipped())
        out.append(Hard(name: "non-manifold-vertex.obj", mesh: bowtie.weldedByPosition().mesh,
                        why: "two closed cones touching tip to tip: edge-manifold and watertight, but one vertex joins two sheets (one component through a single point)"))

        var overlap = TriangleMesh.icosphere(subdivisions: 2, radius: 0.5)
        overlap.append(.icosphere(subdivisions: 2, radius: 0.5, center: [0.4, 0.1, 0]))
        out.append(Hard(name: "interpenetrating.obj", mesh: overlap,
                        why: "two closed spheres overlapping without a union: each watertight, but surfaces cross, winding number reaches 2 inside the lens"))

        var far = TriangleMesh.icosphere(subdivisions: 1, radius: 1, center: [1.0e6, -2.0e6, 5.0e5])
        far.positions += [[0, 0, 0], [1e-3, 0, 0], [0, 1e-3, 0]]
        let m = UInt32(far.vertexCount)
        far.triangles.append([m - 3, m - 2, m - 1])
        out.append(Hard(name: "far-away.obj", mesh: far,
                        why: "a unit sphere 2.3e6 units from the origin (Float spacing there is 0.125) plus a 1 mm triangle at the origin: normalization and BVHs must cope with huge, mostly empty bounds"))

        var nan = TriangleMesh.box(size: [1, 1, 1])
        let k = UInt32(nan.vertexCount)
        nan.positions += [[.nan, 0, 0], [0, .infinity, 0], [0, 0, 2]]
        nan.triangles += [[k, k + 1, k + 2], [0, 1, k]]
        out.append(Hard(name: "nan-vertices.obj", mesh: nan,
                        why: "a cube plus 2 triangles touching a NaN or an infinite vertex: they must be dropped and counted, the cube kept"))
        return out
    }

    static func hardREADMELines() -> String {
        hardMeshes().map { "- `\($0.name)` — \($0.why)." }.joined(separator: "\n")
    }

    /// Bytes of every generated file, keyed by path relative to the repository root.
    static func generatedFiles() -> [(path: String, bytes: Data)] {
        var files: [(String, Data)] = []
        for (name, mesh) in bundledPrimitives() { files.append(("Assets/meshes/\(name)", MeshWriter.encodePLY(mesh))) }
        for h in hardMeshes() { files.append(("Assets/hard/\(h.name)", MeshWriter.encodeOBJ(h.mesh))) }
        return files
    }
}
