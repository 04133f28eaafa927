import ArrayIO
import Extraction
import Fields
import Foundation
import Geometry
import MeshIO

/// How `extract` turns the grid into a mesh.
public enum ExtractMethod: String, Sendable, CaseIterable, Codable {
    /// Marching cubes at `level` (`MarchingCubes`).
    case mc
    /// The grid read as an unsigned distance u = |value − level|, meshed by `MeshUDF` (gradient
    /// votes per grid edge, pseudo-signs, marching cubes): open and closed surfaces.
    case udf
    /// Former name of `udf`, kept for scripts (it ran DualMesh-UDF on the trilinear interpolant,
    /// which finds ~6% of a sampled sphere: see the README). Same as `udf`.
    case dual
}

/// What `extract` did.
public struct ExtractResult: JobReport, Codable, Sendable {
    public var input: String
    public var output: String
    public var method: ExtractMethod
    public var shape: [Int]
    public var level: Float
    public var insideLower: Bool
    public var boundsMin: [Float]
    public var boundsMax: [Float]
    public var vertices: Int
    public var faces: Int
    public var watertight: Bool
    public var boundaryEdges: Int
    public var nonManifoldEdges: Int
    public var eulerCharacteristic: Int
    public var surfaceArea: Double
    public var seconds: Double

    public var text: String {
        """
        \(input) (\(shape.map(String.init).joined(separator: "×")), \(method.rawValue), level \(level), inside \(insideLower ? "lower" : "higher")) → \(output)
        \(vertices) vertices, \(faces) triangles, area \(surfaceArea), \(faces == 0 ? "empty" : watertight ? "watertight" : "open: \(boundaryEdges) boundary edges"), \(nonManifoldEdges) non-manifold edges, χ = \(eulerCharacteristic), \(String(format: "%.3f", seconds)) s
        """
    }
}

/// Reads a dense grid from a .npy file: float16/32/64, rank 3, C or Fortran order (numpy shape
/// (nx, ny, nz) indexed [i, j, k]); values span `bounds` as in `ScalarGrid` (grid point (i, j, k) at
/// bounds.min + (i, j, k)·(bounds.max − bounds.min)/(n − 1)).
public func loadGrid(path: String, bounds: AABB) throws -> ScalarGrid {
    let a: NpyArray
    do { a = try Npy.read(path) } catch { throw PipelineError.unreadable(path: path, reason: String(describing: error)) }
    guard [.float16, .float32, .float64].contains(a.dtype) else {
        throw PipelineError.invalidInput(path: path, reason: "expected float32 or float64 values, got dtype '\(a.dtype.descr)'")
    }
    guard a.rank == 3 else {
        throw PipelineError.invalidInput(path: path, reason: "expected a 3-D grid of shape (nx, ny, nz), got shape (\(a.shape.map(String.init).joined(separator: ", ")))")
    }
    guard a.shape.allSatisfy({ $0 >= 2 }) else {
        throw PipelineError.invalidInput(path: path, reason: ExtractionError.gridTooSmall(SIMD3(a.shape[0], a.shape[1], a.shape[2])).description)
    }
    let values = try a.floats()
    return ScalarGrid(resolution: SIMD3(a.shape[0], a.shape[1], a.shape[2]), bounds: bounds, values: values)
}

/// `octoplane extract FIELD.npy -o OUT [--level L] [--method mc|udf] [--bounds …] [--inside-lower]`:
/// loads the grid, extracts, writes OBJ or PLY (by extension) atomically.
/// mc: all-inside or all-outside grids write an empty mesh (not an error). udf (= dual): an
/// all-zero or all-far grid is an error (`ExtractionError.degenerateUDF`, `.noSurfaceNearby`).
/// Default bounds: [-0.5, 0.5]³ (ONet's unit cube); default convention: inside = higher (occupancy
/// logits at level 0 or probabilities at 0.5); `insideLower` for signed distances (mc only).
///
/// Errors (`PipelineError`): `.invalidOption` for bounds with min ≥ max (or non-finite);
/// `.unreadable` (not a .npy); `.invalidInput` naming the file for a wrong rank or dtype, fewer than
/// 2 samples on an axis, or data the extractor refuses (its `ExtractionError` message); `.unwritable`.
public struct ExtractJob: Job {
    public var input: String
    public var output: String
    public var level: Float = 0
    public var method: ExtractMethod = .mc
    public var bounds: AABB = .cube(halfSize: 0.5)
    public var insideLower = false
    public init(input: String, output: String) { self.input = input; self.output = output }

    public func run() throws -> ExtractResult {
        guard (0..<3).allSatisfy({ bounds.min[$0].isFinite && bounds.max[$0].isFinite && bounds.min[$0] < bounds.max[$0] }) else {
            throw PipelineError.invalidOption("bounds \([bounds.min.x, bounds.min.y, bounds.min.z]) … \([bounds.max.x, bounds.max.y, bounds.max.z]): need finite values with min < max on every axis")
        }
        let grid = try loadGrid(path: input, bounds: bounds)
        let start = Date()
        let mesh: TriangleMesh
        do {
            switch method {
            case .mc:
                mesh = try MarchingCubes.extract(grid, level: level, inside: insideLower ? .lower : .higher)
            case .udf, .dual:
                mesh = try MeshUDF.extract(grid, options: .init(level: level)).mesh
            }
        } catch let e as ExtractionError { throw PipelineError.invalidInput(path: input, reason: e.description) }
        let seconds = Date().timeIntervalSince(start)
        do { try MeshWriter.write(mesh, to: output) } catch {
            let m = String(describing: error)
            throw PipelineError.unwritable(path: output, reason: m.hasPrefix(output + ": ") ? String(m.dropFirst(output.count + 2)) : m)
        }
        let topo = MeshTopology(mesh)
        let r = grid.resolution
        return ExtractResult(input: input, output: output, method: method, shape: [r.x, r.y, r.z], level: level,
                             insideLower: insideLower, boundsMin: [bounds.min.x, bounds.min.y, bounds.min.z],
                             boundsMax: [bounds.max.x, bounds.max.y, bounds.max.z], vertices: mesh.vertexCount,
                             faces: mesh.faceCount, watertight: topo.isWatertight, boundaryEdges: topo.boundaryEdges,
                             nonManifoldEdges: topo.nonManifoldEdges, eulerCharacteristic: topo.eulerCharacteristic,
                             surfaceArea: mesh.surfaceArea, seconds: seconds)
    }
}
