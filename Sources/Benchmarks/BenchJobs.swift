import Foundation
import Geometry
import Pipeline
import Support

// The `octoplane bench …` commands as jobs of the one Pipeline shape (`Job`: settings in,
// `JobReport` out). Timings are what they measure: they never enter a pass/fail test.

/// `octoplane bench render`: see `benchRender`.
public struct BenchRenderJob: Job {
    public var frames = 7
    public var size = 512
    /// Worker threads, scoped to this job (nil: the process's count).
    public var threads: Int? = nil
    public init() {}
    public func run() throws -> RenderBenchReport {
        RenderBenchReport(rows: try benchRender(frames: frames, size: size, threads: threads ?? Parallelism.threadCount))
    }
}

/// The rows of `bench render`; JSON is the bare array of rows (what `Scripts/bench-render.sh` reads).
public struct RenderBenchReport: JobReport, Sendable {
    public var rows: [RenderBenchRow]
    public var text: String {
        let t = renderBenchTable(rows)
        return t.hasSuffix("\n") ? String(t.dropLast()) : t
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rows)
    }
}

/// `octoplane bench queries`: see `benchQueries`. Without meshes, the three benchmark meshes
/// (`defaultQueryBenchMeshes`, written to `meshDirectory`).
public struct BenchQueriesJob: Job {
    public var meshes: [String] = []
    public var points = 1_000_000
    public var repeats = 3
    /// Folder for the generated icosphere and, under `queried/`, the queried meshes as PLY.
    public var meshDirectory: String
    /// Receives one line per measurement.
    public var progress: @Sendable (String) -> Void = { _ in }
    public init(meshDirectory: String) { self.meshDirectory = meshDirectory }
    public func run() throws -> QueryBenchReport {
        guard points >= 1, repeats >= 1 else { throw PipelineError.invalidOption("--points and --repeats must be ≥ 1") }
        let paths = meshes.isEmpty ? try defaultQueryBenchMeshes(meshDirectory: meshDirectory) : meshes
        return QueryBenchReport(rows: try benchQueries(meshPaths: paths, points: points, repeats: repeats,
                                                       exportDirectory: meshDirectory + "/queried", progress: progress))
    }
}

/// The rows of `bench queries`; JSON is the bare array of rows (what `Scripts/bench-queries.py` reads).
public struct QueryBenchReport: JobReport, Sendable {
    public var rows: [QueryBenchRow]
    public var text: String {
        var lines = ["mesh | faces | points | BVH build s | parity grid s | winding M/s | parity×1 M/s | parity×3 M/s | UDF M/s | inside | parity≠winding"]
        for r in rows {
            lines.append(String(format: "%@ | %d | %d | %.3f | %.3f | %.2f | %.2f | %.2f | %.3f | %.1f%% | %.2f%%", r.mesh, r.faces, r.points,
                                r.buildSeconds, r.parityGridSeconds, r.windingPointsPerSecond / 1e6, r.parity1PointsPerSecond / 1e6,
                                r.parity3PointsPerSecond / 1e6, r.udfPointsPerSecond / 1e6, 100 * r.insideFraction, 100 * r.parityDisagreement))
        }
        return lines.joined(separator: "\n")
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rows)
    }
}

/// `octoplane bench mc`: see `benchMC`.
public struct BenchMCJob: Job {
    /// SDF grids (.npy over [-1, 1]³); empty: the built-in union of spheres at 128³ and 256³.
    public var grids: [String] = []
    public var saveGridsTo: String? = nil
    public var runs = 5
    public var dual = true
    public var sparse = true
    public init() {}
    public func run() throws -> MCBenchReport {
        guard runs >= 1 else { throw PipelineError.invalidOption("--runs must be ≥ 1") }
        return try benchMC(grids: grids, saveGridsTo: saveGridsTo, runs: runs, dual: dual, sparse: sparse)
    }
}

/// `octoplane bench nn`: see `runNNBenchmark`.
public struct BenchNNJob: Job {
    public var options = NNBenchmarkOptions()
    /// Threads for BLAS and the kernels, scoped to this job (nil: the process's count).
    public var threads: Int? = nil
    /// Receives the name of each workload as it starts.
    public var progress: @Sendable (String) -> Void = { _ in }
    public init() {}
    public func run() throws -> NNBenchmarkReport {
        guard options.steps >= 1, options.warmup >= 0 else { throw PipelineError.invalidOption("--steps must be ≥ 1 and --warmup ≥ 0") }
        return Parallelism.withThreadCount(threads ?? Parallelism.threadCount) { runNNBenchmark(options, progress: progress) }
    }
}

/// `octoplane bench chamfer`: see `benchChamfer`.
public struct BenchChamferJob: Job {
    /// Two (N, 3) .npy clouds, or none (two built-in surface samples of `points` points).
    public var clouds: (a: String, b: String)? = nil
    public var points = 100_000
    public var repeats = 5
    public init() {}
    public func run() throws -> ChamferBenchReport {
        guard points >= 1, repeats >= 1 else { throw PipelineError.invalidOption("--points and --repeats must be ≥ 1") }
        return try benchChamfer(a: clouds?.a, b: clouds?.b, points: points, repeats: repeats)
    }
}
