import Foundation
import Geometry
import Metrics
import Pipeline
import Spatial
import Support

/// The result of `octoplane bench chamfer`: ONet Chamfer-L1 between two clouds, timed inside the
/// process (release build). `totalMs` covers everything a caller pays: both k-d tree builds and
/// both query directions (`BidirectionalCorrespondence`) and the means.
public struct ChamferBenchReport: JobReport, Codable, Sendable {
    public var pointsA: Int
    public var pointsB: Int
    public var threads: Int
    public var repeats: Int
    /// Median over repeats, milliseconds.
    public var totalMs: Double
    public var buildMs: Double
    public var queryMs: Double
    /// Every repeat's total, milliseconds.
    public var totalsMs: [Double]
    public var chamferL1: Double
    public var source: String

    public var text: String {
        textTable(["operation", "points", "median ms"], [
            ["Chamfer-L1 (2 builds + 2 query passes)", "\(pointsA) × \(pointsB)", String(format: "%.1f", totalMs)],
            ["  k-d tree builds", "", String(format: "%.1f", buildMs)],
            ["  nearest-neighbour queries, both ways", "", String(format: "%.1f", queryMs)],
        ]) + "\nChamfer-L1 = \(chamferL1); \(threads) threads; \(repeats) repeats; clouds: \(source)"
    }
}

/// The job behind `octoplane bench chamfer [A.npy B.npy]`. Without files, the clouds are
/// `points` surface samples of icospheres of radius 0.4 and 0.41 (seeds 1, 2): a reconstruction
/// 1% of the unit cube off its target, the workload of ONet-style evaluation.
func benchChamfer(a: String?, b: String?, points: Int = 100_000, repeats: Int = 5) throws -> ChamferBenchReport {
    precondition(repeats >= 1)
    let pa: [Vec3], pb: [Vec3], source: String
    if let a, let b {
        pa = try readCloudNpy(a); pb = try readCloudNpy(b); source = "\(a), \(b)"
    } else {
        pa = TriangleMesh.icosphere(subdivisions: 5, radius: 0.4).sampleSurface(count: points, seed: 1).points
        pb = TriangleMesh.icosphere(subdivisions: 5, radius: 0.41).sampleSurface(count: points, seed: 2).points
        source = "surface samples of spheres of radius 0.4 and 0.41"
    }
    try wrapMetrics(a ?? "cloud A") { try OrientedPointCloud(points: pa).validated(role: a ?? "cloud A") }
    try wrapMetrics(b ?? "cloud B") { try OrientedPointCloud(points: pb).validated(role: b ?? "cloud B") }
    func ms(_ t0: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6 }
    var totals: [Double] = [], builds: [Double] = [], queries: [Double] = []
    var cd = 0.0
    _ = try ChamferDistance.l1(pa, pb)   // warm-up
    for _ in 0..<repeats {
        var t0 = DispatchTime.now().uptimeNanoseconds
        cd = ChamferDistance.l1(BidirectionalCorrespondence(predicted: pa, reference: pb))
        totals.append(ms(t0))
        t0 = DispatchTime.now().uptimeNanoseconds
        let ta = KDTree(points: pa), tb = KDTree(points: pb)
        builds.append(ms(t0))
        t0 = DispatchTime.now().uptimeNanoseconds
        _ = BidirectionalCorrespondence(predicted: ta, reference: tb)
        queries.append(ms(t0))
    }
    return ChamferBenchReport(pointsA: pa.count, pointsB: pb.count, threads: Parallelism.threadCount, repeats: repeats,
                              totalMs: median(totals), buildMs: median(builds), queryMs: median(queries), totalsMs: totals,
                              chamferL1: cd, source: source)
}
