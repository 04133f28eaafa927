import Foundation
import Geometry
import Spatial
import Support

/// The named sampling recipes of the field.
public enum SamplePreset: String, Sendable, CaseIterable, CustomStringConvertible {
    /// ONet: `points.npz` with N uniform points in the ONet frame's cube padded by 0.1
    /// ([-0.55, 0.55]³, N = 100,000) and `pointcloud.npz` with 100,000 surface points + normals.
    case onet
    /// NFD: one (N, 4) `.npy`; N/2 near-surface rows (σ = 0.01 in [-1, 1]) then N/2 uniform rows
    /// in [-1, 1]³ (the NFD 50/50 recipe). Default N = 500,000.
    case nfd
    /// UDF: one `.npz` (points, udf, gradient) in the [-1, 1] frame; half near-surface with the
    /// σ mixture (0.005, 0.02, 0.05), half uniform in [-1.05, 1.05]³. Default N = 500,000.
    case udf
    public var description: String { rawValue }
}

/// Every knob of a sampling run. `SampleSettings(preset:)` gives the preset's published values.
public struct SampleSettings: Sendable, Equatable {
    public var preset: SamplePreset
    /// Query points (ONet: uniform points; NFD and UDF: all rows, near + uniform).
    public var count: Int
    /// Surface points of ONet's `pointcloud.npz`.
    public var surfaceCount: Int
    /// Fraction of `count` drawn near the surface (NFD and UDF; ONet's points are all uniform).
    public var nearFraction: Double
    /// Noise σ of the near-surface points, in the normalized frame; several = an equal mixture.
    public var sigmas: [Float]
    /// Padding added on every side of the normalized cube for the uniform points.
    public var padding: Float
    public var seed: UInt64
    public var insideTest: InsideTest

    public init(preset: SamplePreset, count: Int? = nil, seed: UInt64 = 0, insideTest: InsideTest = .default) {
        self.preset = preset
        self.seed = seed
        self.insideTest = insideTest
        switch preset {
        case .onet:
            self.count = count ?? 100_000; surfaceCount = 100_000; nearFraction = 0; sigmas = [0.01]; padding = 0.05
        case .nfd:
            self.count = count ?? 500_000; surfaceCount = 0; nearFraction = 0.5; sigmas = [0.01]; padding = 0
        case .udf:
            self.count = count ?? 500_000; surfaceCount = 0; nearFraction = 0.5; sigmas = [0.005, 0.02, 0.05]; padding = 0.05
        }
    }

    /// ONet's frame (longest side → [-0.5, 0.5]) for ONet, NFD's ([-1, 1]) for NFD and UDF.
    public var normalization: NormalizationConvention { preset == .onet ? .onet : .nfd }
}

/// Errors of a sampling run on one mesh.
public enum SamplingError: Error, Equatable, CustomStringConvertible {
    /// The mesh has no faces or zero surface area: nothing to sample or classify against.
    case degenerateMesh(String)
    /// Settings out of range (negative counts, σ < 0, fractions outside [0, 1]).
    case invalidSettings(String)
    public var description: String {
        switch self {
        case let .degenerateMesh(r): return "mesh cannot be sampled: \(r)"
        case let .invalidSettings(r): return "invalid sampling settings: \(r)"
        }
    }
}

/// What one run produced, ready to be written.
public enum SampleOutput: Sendable, Equatable {
    case onet(points: OnetPoints, pointcloud: OnetPointCloud)
    case nfd(NFDSamples)
    case udf(UDFSamples)

    /// Number of query points (ONet: `points.npz` rows).
    public var queryCount: Int {
        switch self {
        case let .onet(p, _): return p.points.count
        case let .nfd(s): return s.points.count
        case let .udf(s): return s.points.count
        }
    }
    /// Fraction of query points inside (UDF: fraction with udf below 0.01, i.e. near the surface).
    public var insideFraction: Double {
        let flags: [Bool]
        switch self {
        case let .onet(p, _): flags = p.occupancies
        case let .nfd(s): flags = s.occupancies
        case let .udf(s): flags = s.udf.map { $0 < 0.01 }
        }
        return flags.isEmpty ? 0 : Double(flags.lazy.filter { $0 }.count) / Double(flags.count)
    }

    /// The files `write(to:)` creates for output base `base`: ONet → `base/points.npz` and
    /// `base/pointcloud.npz` (a model folder as in ONet's data), NFD → `base` (`.npy`),
    /// UDF → `base` (`.npz`).
    public static func files(for preset: SamplePreset, base: String) -> [String] {
        switch preset {
        case .onet: return [base + "/pointcloud.npz", base + "/points.npz"]
        case .nfd, .udf: return [base]
        }
    }

    /// Writes every file atomically (ONet: `pointcloud.npz` first, `points.npz` last, creating
    /// the folder `base` if needed).
    public func write(to base: String) throws {
        switch self {
        case let .onet(p, c):
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            try c.write(to: base + "/pointcloud.npz")
            try p.write(to: base + "/points.npz")
        case let .nfd(s): try s.write(to: base)
        case let .udf(s): try s.write(to: base)
        }
    }
}

/// Runs a preset on a mesh given in its own frame: normalizes it (ONet or NFD frame), draws the
/// seeded points, labels them with the BVH (occupancy by `settings.insideTest`, or UDF +
/// gradient), all batched over `Parallelism.threadCount` threads.
public enum SampleRecipe {
    public static func run(_ mesh: TriangleMesh, settings: SampleSettings) throws -> SampleOutput {
        guard settings.count >= 0, settings.surfaceCount >= 0 else { throw SamplingError.invalidSettings("counts must be ≥ 0") }
        guard (0...1).contains(settings.nearFraction) else { throw SamplingError.invalidSettings("near fraction \(settings.nearFraction) is outside [0, 1]") }
        guard !settings.sigmas.isEmpty, settings.sigmas.allSatisfy({ $0 >= 0 && $0.isFinite }) else { throw SamplingError.invalidSettings("σ must be finite and ≥ 0") }
        guard settings.padding >= 0, settings.padding.isFinite else { throw SamplingError.invalidSettings("padding must be finite and ≥ 0") }
        guard !mesh.isEmpty else { throw SamplingError.degenerateMesh("it has no faces") }
        let norm = settings.normalization
        guard norm.transform(for: mesh.positions) != nil else { throw SamplingError.degenerateMesh("its vertices are not finite or span no length") }
        let (m, tr) = mesh.normalized(norm)
        guard m.surfaceArea > 0 else { throw SamplingError.degenerateMesh("its surface area is zero") }
        // x_normalized = (x − loc)/scale, ONet's stored convention.
        let loc = -tr.translation / tr.scale, scale = 1 / tr.scale
        let bvh = TriangleBVH(mesh: m)
        let cube = AABB.cube(halfSize: norm.targetHalfExtent + settings.padding)
        let seed = SeededRandom(seed: settings.seed)
        let nNear = Int((Double(settings.count) * settings.nearFraction).rounded())
        let near = PointSampler.nearSurface(m, count: nNear, sigmas: settings.sigmas, seed: seed.split(1).state)
        let uniform = PointSampler.uniform(in: cube, count: settings.count - nNear, seed: seed.split(2).state)
        let points = near + uniform
        switch settings.preset {
        case .onet:
            // Occupancy is decided on the float16-rounded points the file stores.
            let stored = roundedToFloat16(points)
            let occ = bvh.occupancy(stored, test: settings.insideTest)
            let surf = PointSampler.surface(m, count: settings.surfaceCount, seed: seed.split(3).state)
            return .onet(points: OnetPoints(points: stored, occupancies: occ, loc: loc, scale: scale),
                         pointcloud: OnetPointCloud(points: roundedToFloat16(surf.points), normals: roundedToFloat16(surf.normals), loc: loc, scale: scale))
        case .nfd:
            return .nfd(NFDSamples(points: points, occupancies: bvh.occupancy(points, test: settings.insideTest)))
        case .udf:
            let (d, g) = bvh.unsignedDistances(to: points, gradients: true)
            return .udf(UDFSamples(points: points, udf: d, gradients: g, loc: loc, scale: scale))
        }
    }
}
