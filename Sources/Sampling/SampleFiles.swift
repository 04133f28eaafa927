import Foundation
import Geometry
import ArrayIO

/// Errors reading sample files that are valid `.npy`/`.npz` but not in the expected layout.
public enum SampleFileError: Error, Equatable, CustomStringConvertible {
    /// `path` lacks a member or has a member of the wrong shape / dtype; `reason` says which.
    case badLayout(path: String, reason: String)
    public var description: String {
        switch self {
        case let .badLayout(p, r): return "'\(p)' is not a sample file of the expected layout: \(r)"
        }
    }
}

// MARK: Helpers (flat float arrays ↔ Vec3)

@usableFromInline func flatten(_ v: [Vec3]) -> [Float] {
    var out = [Float](); out.reserveCapacity(3 * v.count)
    for p in v { out.append(p.x); out.append(p.y); out.append(p.z) }
    return out
}
@usableFromInline func unflatten(_ f: [Float]) -> [Vec3] {
    (0..<(f.count / 3)).map { Vec3(f[3 * $0], f[3 * $0 + 1], f[3 * $0 + 2]) }
}
/// Reads member `name` of shape (N, 3) (any float dtype) as N vectors.
func readVec3s(_ arrays: [String: NpyArray], _ name: String, path: String) throws -> [Vec3] {
    let a = try arrays.array(name)
    guard a.rank == 2, a.shape[1] == 3 else { throw SampleFileError.badLayout(path: path, reason: "'\(name)' has shape \(a.shape), expected (N, 3)") }
    return unflatten(try a.floats())
}
/// Rounds to float16 and back: the values a float16 file stores.
public func roundedToFloat16(_ v: [Vec3]) -> [Vec3] {
    v.map { p in Vec3(HalfFloat.float(fromBits: HalfFloat.bits(from: p.x)), HalfFloat.float(fromBits: HalfFloat.bits(from: p.y)), HalfFloat.float(fromBits: HalfFloat.bits(from: p.z))) }
}

/// ONet's `points.npz` (Mescheder et al., CVPR 2019, `scripts/sample_mesh.py`):
/// - `points`: float16 (N, 3), in the normalized frame (uniform in [-0.55, 0.55]³ for ONet);
/// - `occupancies`: uint8 (⌈N/8⌉,) = `np.packbits` of the (N,) inside flags (big bit order);
/// - `loc`: float32 (3,), `scale`: float32 () with x_normalized = (x − loc)/scale.
/// ONet writes loc/scale as float64; its loader casts them to float32, so float32 loses nothing.
/// `points` read back are the float16-rounded values.
public struct OnetPoints: Sendable, Equatable {
    public var points: [Vec3]
    public var occupancies: [Bool]
    public var loc: Vec3
    public var scale: Float
    public init(points: [Vec3], occupancies: [Bool], loc: Vec3, scale: Float) {
        precondition(points.count == occupancies.count, "one occupancy per point")
        self.points = points; self.occupancies = occupancies; self.loc = loc; self.scale = scale
    }
    public func write(to path: String) throws {
        try Npz.write(ordered: [
            ("points", try NpyArray(float16From: flatten(points), shape: [points.count, 3])),
            ("occupancies", try NpyArray(uint8s: PackBits.pack(occupancies))),
            ("loc", try NpyArray(floats: [loc.x, loc.y, loc.z])),
            ("scale", NpyArray(scalar: scale)),
        ], to: path)
    }
    public static func read(path: String) throws -> OnetPoints {
        let z = try Npz.read(path)
        let pts = try readVec3s(z, "points", path: path)
        let packed = try z.array("occupancies")
        guard packed.rank == 1, packed.count == (pts.count + 7) / 8 else {
            throw SampleFileError.badLayout(path: path, reason: "'occupancies' has shape \(packed.shape), expected (\((pts.count + 7) / 8),) packed bits")
        }
        let occ = PackBits.unpack(try packed.uint8s(), count: pts.count)
        let loc = try z.array("loc").floats(), scale = try z.array("scale").floats()
        guard loc.count == 3, scale.count == 1 else { throw SampleFileError.badLayout(path: path, reason: "'loc' must hold 3 numbers and 'scale' 1") }
        return OnetPoints(points: pts, occupancies: occ, loc: Vec3(loc[0], loc[1], loc[2]), scale: scale[0])
    }
}

/// ONet's `pointcloud.npz`: `points` and `normals`, float16 (N, 3) (ONet's `--float16` setting,
/// which its released data uses), surface points in the normalized frame with unit face
/// normals; `loc` (3,) and `scale` () as in `points.npz`.
public struct OnetPointCloud: Sendable, Equatable {
    public var points: [Vec3]
    public var normals: [Vec3]
    public var loc: Vec3
    public var scale: Float
    public init(points: [Vec3], normals: [Vec3], loc: Vec3, scale: Float) {
        precondition(points.count == normals.count, "one normal per point")
        self.points = points; self.normals = normals; self.loc = loc; self.scale = scale
    }
    public func write(to path: String) throws {
        try Npz.write(ordered: [
            ("points", try NpyArray(float16From: flatten(points), shape: [points.count, 3])),
            ("normals", try NpyArray(float16From: flatten(normals), shape: [normals.count, 3])),
            ("loc", try NpyArray(floats: [loc.x, loc.y, loc.z])),
            ("scale", NpyArray(scalar: scale)),
        ], to: path)
    }
    public static func read(path: String) throws -> OnetPointCloud {
        let z = try Npz.read(path)
        let pts = try readVec3s(z, "points", path: path), nrm = try readVec3s(z, "normals", path: path)
        guard pts.count == nrm.count else { throw SampleFileError.badLayout(path: path, reason: "\(pts.count) points but \(nrm.count) normals") }
        let loc = try z.array("loc").floats(), scale = try z.array("scale").floats()
        guard loc.count == 3, scale.count == 1 else { throw SampleFileError.badLayout(path: path, reason: "'loc' must hold 3 numbers and 'scale' 1") }
        return OnetPointCloud(points: pts, normals: nrm, loc: Vec3(loc[0], loc[1], loc[2]), scale: scale[0])
    }
}

/// NFD's occupancy samples (Shue et al., CVPR 2023): one `.npy`, float32 (here; NFD's own are
/// float64) of shape (N, 4), rows (x, y, z, occupancy ∈ {0, 1}) in the [-1, 1] frame, the
/// near-surface rows first, then the uniform ones.
public struct NFDSamples: Sendable, Equatable {
    public var points: [Vec3]
    public var occupancies: [Bool]
    public init(points: [Vec3], occupancies: [Bool]) {
        precondition(points.count == occupancies.count, "one occupancy per point")
        self.points = points; self.occupancies = occupancies
    }
    public func write(to path: String) throws {
        var rows = [Float](); rows.reserveCapacity(4 * points.count)
        for (p, o) in zip(points, occupancies) { rows += [p.x, p.y, p.z, o ? 1 : 0] }
        try Npy.write(try NpyArray(floats: rows, shape: [points.count, 4]), to: path)
    }
    public static func read(path: String) throws -> NFDSamples {
        let a = try Npy.read(path)
        guard a.rank == 2, a.shape[1] == 4 else { throw SampleFileError.badLayout(path: path, reason: "shape \(a.shape), expected (N, 4)") }
        let f = try a.floats()
        let n = a.shape[0]
        var pts = [Vec3](), occ = [Bool]()
        pts.reserveCapacity(n); occ.reserveCapacity(n)
        for i in 0..<n {
            pts.append(Vec3(f[4 * i], f[4 * i + 1], f[4 * i + 2]))
            let o = f[4 * i + 3]
            guard o == 0 || o == 1 else { throw SampleFileError.badLayout(path: path, reason: "row \(i) has occupancy \(o), expected 0 or 1") }
            occ.append(o == 1)
        }
        return NFDSamples(points: pts, occupancies: occ)
    }
}

/// Unsigned-distance samples (for DualMesh-UDF style training and extraction): one `.npz` with
/// `points` float32 (N, 3), `udf` float32 (N,) ≥ 0, `gradient` float32 (N, 3) unit vectors
/// (p − closest)/udf, and `loc` (3,), `scale` () with x_normalized = (x − loc)/scale; the
/// normalized frame is NFD's [-1, 1], so `scale` = L/2 for the longest box side L.
public struct UDFSamples: Sendable, Equatable {
    public var points: [Vec3]
    public var udf: [Float]
    public var gradients: [Vec3]
    public var loc: Vec3
    public var scale: Float
    public init(points: [Vec3], udf: [Float], gradients: [Vec3], loc: Vec3, scale: Float) {
        precondition(points.count == udf.count && points.count == gradients.count, "one udf and gradient per point")
        self.points = points; self.udf = udf; self.gradients = gradients; self.loc = loc; self.scale = scale
    }
    public func write(to path: String) throws {
        try Npz.write(ordered: [
            ("points", try NpyArray(floats: flatten(points), shape: [points.count, 3])),
            ("udf", try NpyArray(floats: udf)),
            ("gradient", try NpyArray(floats: flatten(gradients), shape: [gradients.count, 3])),
            ("loc", try NpyArray(floats: [loc.x, loc.y, loc.z])),
            ("scale", NpyArray(scalar: scale)),
        ], to: path)
    }
    public static func read(path: String) throws -> UDFSamples {
        let z = try Npz.read(path)
        let pts = try readVec3s(z, "points", path: path), g = try readVec3s(z, "gradient", path: path)
        let u = try z.array("udf")
        guard u.rank == 1, u.count == pts.count, g.count == pts.count else {
            throw SampleFileError.badLayout(path: path, reason: "'udf' \(u.shape) and 'gradient' must have one entry per point (\(pts.count))")
        }
        let loc = try z.array("loc").floats(), scale = try z.array("scale").floats()
        guard loc.count == 3, scale.count == 1 else { throw SampleFileError.badLayout(path: path, reason: "'loc' must hold 3 numbers and 'scale' 1") }
        return UDFSamples(points: pts, udf: try u.floats(), gradients: g, loc: Vec3(loc[0], loc[1], loc[2]), scale: scale[0])
    }
}
