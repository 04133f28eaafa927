import Geometry
import Fields
import Support

/// How a mesh decides inside from outside.
public enum InsideTest: Sendable, Equatable, CustomStringConvertible {
    /// Fast generalized winding number w (Barill et al. 2018), inside where |w| > ½: robust to holes,
    /// flipped-free soups and interpenetrating closed parts (inside either part is inside), and
    /// free of orientation: an inside-out closed mesh has w = −1 inside and still counts (w > ½
    /// would call all of it outside). A part nested inside an oppositely oriented one cancels
    /// (|w| ≈ 0 there): mixed orientations are only as good as the parts' nesting allows.
    /// `beta` is the far-field acceptance factor (2 = Barill et al.'s and libigl's default).
    case windingNumber(beta: Float = 2)
    /// Ray parity (ONet's test): inside when an odd number of faces is crossed, majority vote over
    /// `rays` fixed generic directions (odd; at most 5). Exact on watertight meshes, wrong on
    /// open or self-overlapping ones. Counted with one `ParallelRayGrid` per direction (built on
    /// first use and kept with the BVH), so a ray through an edge shared by two faces counts once.
    case rayParity(rays: Int = 3)

    public static let `default` = InsideTest.windingNumber()

    public var description: String {
        switch self {
        case let .windingNumber(b): return "winding number (β = \(b))"
        case let .rayParity(r): return "ray parity (\(r) rays)"
        }
    }
}

extension TriangleBVH {
    /// Occupancy of every point (true = inside), in order, over all cores. NaN points: outside.
    public func occupancy(_ points: [Vec3], test: InsideTest = .default) -> [Bool] {
        switch test {
        case let .windingNumber(beta): return windingNumbers(at: points, beta: beta).map { abs($0) > 0.5 }
        case let .rayParity(rays): return insideByParity(points, rays: rays)
        }
    }

    /// Occupancy of one point.
    public func isInside(_ p: Vec3, test: InsideTest = .default) -> Bool {
        switch test {
        case let .windingNumber(beta): return abs(windingNumber(at: p, beta: beta)) > 0.5
        case let .rayParity(rays): return isInsideByParity(p, rays: rays)
        }
    }

    /// Signed distances: −UDF inside, +UDF outside (inside decided by `test`), with gradients
    /// sign × (p − closest)/d, which point out of the solid on both sides.
    public func signedDistances(to points: [Vec3], test: InsideTest = .default, gradients: Bool = true) -> (distances: [Float], gradients: [Vec3]) {
        var (d, g) = unsignedDistances(to: points, gradients: gradients)
        let inside = occupancy(points, test: test)
        for i in d.indices where inside[i] {
            d[i] = -d[i]
            if gradients { g[i] = -g[i] }
        }
        return (d, g)
    }
}

/// The unsigned distance to a mesh as a `GradientField`: value |p − c| with c the closest surface
/// point, gradient (p − c)/|p − c| (unit; the face normal on the surface; zero for an empty mesh
/// or a NaN query, whose value is +inf or NaN). The gradient is discontinuous on the medial axis.
/// Batched calls run the BVH over all cores.
public struct MeshDistanceField: GradientField {
    public let bvh: TriangleBVH
    public init(_ bvh: TriangleBVH) { self.bvh = bvh }
    public init(mesh: TriangleMesh) { bvh = TriangleBVH(mesh: mesh) }

    public func value(at p: Vec3) -> Float { bvh.closestPoint(to: p).distance }
    public func values(at points: [Vec3]) -> [Float] { bvh.unsignedDistances(to: points, gradients: false).distances }
    public func valueAndGradient(at p: Vec3) -> (Float, Vec3) {
        let c = bvh.closestPoint(to: p)
        return (c.distance, bvh.gradient(p, c))
    }
    public func valuesAndGradients(at points: [Vec3]) -> (values: [Float], gradients: [Vec3]) {
        let (d, g) = bvh.unsignedDistances(to: points, gradients: true)
        return (d, g)
    }
}

/// The signed distance to a mesh: sign from `test` (negative inside) × unsigned distance.
/// Its gradient is sign × (p − c)/d, the outward direction on both sides.
public struct MeshSignedDistanceField: GradientField {
    public let bvh: TriangleBVH
    public let test: InsideTest
    public init(_ bvh: TriangleBVH, test: InsideTest = .default) { self.bvh = bvh; self.test = test }
    public init(mesh: TriangleMesh, test: InsideTest = .default) { self.init(TriangleBVH(mesh: mesh), test: test) }

    public func value(at p: Vec3) -> Float {
        let d = bvh.closestPoint(to: p).distance
        return bvh.isInside(p, test: test) ? -d : d
    }
    public func values(at points: [Vec3]) -> [Float] { bvh.signedDistances(to: points, test: test, gradients: false).distances }
    public func valueAndGradient(at p: Vec3) -> (Float, Vec3) {
        let c = bvh.closestPoint(to: p)
        let g = bvh.gradient(p, c)
        return bvh.isInside(p, test: test) ? (-c.distance, -g) : (c.distance, g)
    }
    public func valuesAndGradients(at points: [Vec3]) -> (values: [Float], gradients: [Vec3]) {
        let (d, g) = bvh.signedDistances(to: points, test: test, gradients: true)
        return (d, g)
    }
}

/// Occupancy of a mesh as a scalar field: 1 inside, 0 outside (NaN queries: 0).
public struct MeshOccupancyField: ScalarField {
    public let bvh: TriangleBVH
    public let test: InsideTest
    public init(_ bvh: TriangleBVH, test: InsideTest = .default) { self.bvh = bvh; self.test = test }
    public init(mesh: TriangleMesh, test: InsideTest = .default) { self.init(TriangleBVH(mesh: mesh), test: test) }

    public func value(at p: Vec3) -> Float { bvh.isInside(p, test: test) ? 1 : 0 }
    public func values(at points: [Vec3]) -> [Float] { bvh.occupancy(points, test: test).map { $0 ? 1 : 0 } }
}
