import Geometry

/// The point closest, in the least-squares sense, to a set of planes — the quadric error function
/// (QEF) of dual contouring (Ju, Losasso, Schaefer & Warren, "Dual contouring of Hermite data",
/// SIGGRAPH 2002), solved by a truncated eigen-decomposition as in Lindstrom's "Out-of-core
/// simplification of large polygonal models" (SIGGRAPH 2000).
///
/// Each plane is (point p, unit normal n); the energy is Σ w (n · (x − p))². Solving
/// around a reference point c (the "mass point"): x = c + A⁺ b with A = Σ w n nᵀ (3×3, symmetric)
/// and b = Σ w n (n · (p − c)). Directions whose singular value √λ is below `threshold` × the largest
/// are dropped, so x moves from c only along well-determined directions; the number kept is the
/// *rank*: 3 = the planes meet at a point (corner), 2 = along a line (edge), 1 = one plane.
/// All arithmetic is in Double. No planes (A = 0) → rank 0 and x = c.
public struct PlaneLeastSquares: Sendable {
    public private(set) var a = [Double](repeating: 0, count: 6)   // xx, xy, xz, yy, yz, zz
    public private(set) var b = Vec3d(0, 0, 0)
    public let center: Vec3d
    public private(set) var count = 0

    public init(center: Vec3) { self.center = center.double }

    public mutating func add(point p: Vec3, normal n: Vec3, weight w: Double = 1) {
        let nd = n.double
        let d = dot(nd, p.double - center) * w
        a[0] += w * nd.x * nd.x; a[1] += w * nd.x * nd.y; a[2] += w * nd.x * nd.z
        a[3] += w * nd.y * nd.y; a[4] += w * nd.y * nd.z; a[5] += w * nd.z * nd.z
        b += nd * d
        count += 1
    }

    /// The minimizer and the rank (see the type's documentation).
    public func solve(threshold: Double = 0.08) -> (point: Vec3, rank: Int) {
        let (values, vectors) = Self.symmetricEigen(a)
        let lmax = values.max() ?? 0
        guard lmax > 0 else { return (center.float, 0) }
        var x = center
        var rank = 0
        for i in 0..<3 where values[i] > 0 && (values[i] / lmax).squareRoot() >= threshold {
            let e = vectors[i]
            x += e * (dot(e, b) / values[i])
            rank += 1
        }
        return (x.float, rank)
    }

    /// Eigenvalues and unit eigenvectors of the symmetric 3×3 matrix (xx, xy, xz, yy, yz, zz), by
    /// cyclic Jacobi rotations (converges to machine precision in a handful of sweeps).
    static func symmetricEigen(_ s: [Double]) -> ([Double], [Vec3d]) {
        var m = [[s[0], s[1], s[2]], [s[1], s[3], s[4]], [s[2], s[4], s[5]]]
        var v = [[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]]
        for _ in 0..<24 {
            let off = m[0][1] * m[0][1] + m[0][2] * m[0][2] + m[1][2] * m[1][2]
            if off < 1e-30 * (m[0][0] * m[0][0] + m[1][1] * m[1][1] + m[2][2] * m[2][2]) + 1e-300 { break }
            for (p, q) in [(0, 1), (0, 2), (1, 2)] where m[p][q] != 0 {
                let theta = (m[q][q] - m[p][p]) / (2 * m[p][q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), sn = t * c
                for k in 0..<3 {  // columns p, q of m
                    let mkp = m[k][p], mkq = m[k][q]
                    m[k][p] = c * mkp - sn * mkq; m[k][q] = sn * mkp + c * mkq
                }
                for k in 0..<3 {  // rows p, q
                    let mpk = m[p][k], mqk = m[q][k]
                    m[p][k] = c * mpk - sn * mqk; m[q][k] = sn * mpk + c * mqk
                }
                for k in 0..<3 {
                    let vkp = v[k][p], vkq = v[k][q]
                    v[k][p] = c * vkp - sn * vkq; v[k][q] = sn * vkp + c * vkq
                }
            }
        }
        let values = [m[0][0], m[1][1], m[2][2]]
        let vectors = (0..<3).map { i in Vec3d(v[0][i], v[1][i], v[2][i]) }
        return (values, vectors)
    }
}
