import ArrayIO
import Extraction
import Fields
import Foundation
import Geometry
import Pipeline
import Support

/// One marching-cubes timing: extraction alone (grid already in memory), with normals.
public struct MCBenchRow: Codable, Sendable {
    public var grid: String
    public var shape: [Int]
    public var vertices: Int
    public var faces: Int
    public var medianMs: Double
    public var minMs: Double
    public var runs: Int
}

/// Sparse (coarse-to-fine) extraction of the same field: evaluations against the dense count.
public struct SparseBenchRow: Codable, Sendable {
    public var resolution: Int
    public var evaluations: Int
    public var denseEvaluations: Int
    public var fraction: Double
    public var ms: Double
    public var equalsDense: Bool
}

/// DualMesh-UDF on the exact UDF of a sphere of radius 0.5 in [-1, 1]³ (the ANCHORS setting).
public struct DualBenchRow: Codable, Sendable {
    public var depth: Int
    public var ms: Double
    public var faces: Int
    public var area: Double
    public var trueArea: Double
    public var areaErrorPercent: Double
    public var nonManifoldEdges: Int
    public var boundaryEdges: Int
    public var evaluations: Int
}

public struct MCBenchReport: JobReport, Codable, Sendable {
    public var threads: Int
    public var marchingCubes: [MCBenchRow]
    public var sparse: [SparseBenchRow]
    public var dual: [DualBenchRow]

    public var text: String {
        var s = "marching cubes (\(threads) threads, median of runs, normals on)\n"
        for r in marchingCubes {
            s += String(format: "  %@ %@: %d faces, %.1f ms (min %.1f, %d runs)\n", r.grid, r.shape.map(String.init).joined(separator: "×"),
                        r.faces, r.medianMs, r.minMs, r.runs)
        }
        for r in sparse {
            s += String(format: "  sparse %d³: %d evaluations = %.2f%% of %d, %.0f ms, equals dense: %@\n", r.resolution, r.evaluations,
                        100 * r.fraction, r.denseEvaluations, r.ms, r.equalsDense ? "yes" : "NO")
        }
        for r in dual {
            s += String(format: "  dual UDF sphere depth %d: %.0f ms, %d faces, area %.4f vs %.4f (%+.3f%%), %d non-manifold, %d boundary edges\n",
                        r.depth, r.ms, r.faces, r.area, r.trueArea, r.areaErrorPercent, r.nonManifoldEdges, r.boundaryEdges)
        }
        return s.hasSuffix("\n") ? String(s.dropLast()) : s
    }
}

/// The benchmark field: union of 20 spheres (`UnionOfSpheresSDF.random(count: 20, seed: 0)`)
/// sampled on an n³ lattice over [-1, 1]³, negative inside.
func benchSpheresGrid(resolution n: Int) -> ScalarGrid {
    ScalarGrid(sampling: UnionOfSpheresSDF.random(count: 20, seed: 0), resolution: n, bounds: .cube(halfSize: 1))
}

/// The job behind `octoplane bench mc [GRID.npy…] [--save-grids DIR] [--runs N] [--no-dual]`.
/// Without grids it times the union-of-spheres field at 128³ and 256³; `saveGridsTo` writes those
/// grids as float32 .npy (`spheres128.npy`, `spheres256.npy`) for the peers' script. Grids given as
/// files are SDF-like: level 0, inside = lower. Timings are extraction only, median of `runs`.
func benchMC(grids paths: [String], saveGridsTo dir: String? = nil, runs: Int = 5, dual: Bool = true,
                    sparse: Bool = true) throws -> MCBenchReport {
    var grids: [(String, ScalarGrid)] = []
    if paths.isEmpty {
        for n in [128, 256] {
            let g = benchSpheresGrid(resolution: n)
            if let d = dir {
                try Npy.write(try NpyArray(floats: g.values, shape: [n, n, n]), to: d + "/spheres\(n).npy")
            }
            grids.append(("spheres\(n)", g))
        }
    } else {
        for p in paths { grids.append((URL(fileURLWithPath: p).lastPathComponent, try loadGrid(path: p, bounds: .cube(halfSize: 1)))) }
    }
    var rows: [MCBenchRow] = []
    for (name, g) in grids {
        var times: [Double] = []
        var mesh = TriangleMesh()
        for _ in 0..<max(1, runs) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            mesh = try MarchingCubes.extract(g, level: 0, inside: .lower)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        times.sort()
        let r = g.resolution
        rows.append(MCBenchRow(grid: name, shape: [r.x, r.y, r.z], vertices: mesh.vertexCount, faces: mesh.faceCount,
                               medianMs: times[times.count / 2], minMs: times[0], runs: times.count))
    }
    var sparseRows: [SparseBenchRow] = []
    if sparse && paths.isEmpty {
        let field = UnionOfSpheresSDF.random(count: 20, seed: 0)
        let n = 257
        let t0 = DispatchTime.now().uptimeNanoseconds
        let s = try SparseMarchingCubes.extract(field, bounds: .cube(halfSize: 1), resolution: n)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        let dense = try MarchingCubes.extract(ScalarGrid(sampling: field, resolution: n, bounds: .cube(halfSize: 1)))
        sparseRows.append(SparseBenchRow(resolution: n, evaluations: s.evaluations, denseEvaluations: s.denseEvaluations,
                                         fraction: Double(s.evaluations) / Double(s.denseEvaluations), ms: ms,
                                         equalsDense: s.mesh == dense))
    }
    var dualRows: [DualBenchRow] = []
    if dual {
        let sphere = SphereSDF(radius: 0.5)
        for depth in [7, 8] {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let (m, st) = try DualMeshUDF.extract(UnsignedDistance(sphere), options: .init(depth: depth))
            let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            let topo = MeshTopology(m)
            let area = m.surfaceArea, truth = Double(sphere.area)
            dualRows.append(DualBenchRow(depth: depth, ms: ms, faces: m.faceCount, area: area, trueArea: truth,
                                         areaErrorPercent: 100 * (area - truth) / truth, nonManifoldEdges: topo.nonManifoldEdges,
                                         boundaryEdges: topo.boundaryEdges, evaluations: st.evaluations))
        }
    }
    return MCBenchReport(threads: Parallelism.threadCount, marchingCubes: rows, sparse: sparseRows, dual: dualRows)
}
