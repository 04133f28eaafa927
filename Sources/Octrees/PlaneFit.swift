import Geometry

/// The least-squares plane of a point set (total least squares: the plane through the centroid
/// whose normal is the eigenvector of the smallest eigenvalue of the 3×3 covariance), and the
/// largest distance of the points to it.
///
/// - Eigenvectors by cyclic Jacobi rotations (Golub & Van Loan, "Matrix Computations", §8.5),
///   accumulated in Double.
/// - Edge cases: fewer than 3 points, or collinear points, leave the normal undetermined; it is
///   then `fallbackNormal` (e.g. the mean of the points' normals) when that is non-zero and
///   perpendicular enough, else the covariance's smallest-eigenvalue vector as computed. The
///   returned normal is unit length; for an empty set the result is nil.
/// - `plane` is (n, w) with n·p + w = 0 on the plane.
struct PlaneFit {
    var plane: SIMD4<Float>
    var maxDistance: Float

    init?(_ points: ArraySlice<Vec3>, fallbackNormal: Vec3 = .zero) {
        guard !points.isEmpty else { return nil }
        var mean = Vec3d.zero
        for p in points { mean += p.double }
        mean /= Double(points.count)
        var a = [[Double]](repeating: [0, 0, 0], count: 3)
        for p in points {
            let q = p.double - mean
            for r in 0..<3 { for c in r..<3 { a[r][c] += q[r] * q[c] } }
        }
        a[1][0] = a[0][1]; a[2][0] = a[0][2]; a[2][1] = a[1][2]
        let (values, vectors) = PlaneFit.symmetricEigen3(a)
        var order = [0, 1, 2]; order.sort { values[$0] < values[$1] }
        var n = Vec3d(vectors[0][order[0]], vectors[1][order[0]], vectors[2][order[0]])
        // Undetermined normal: the two smallest eigenvalues (nearly) coincide relative to the spread.
        let scale = max(values[order[2]], 1e-300)
        if values[order[1]] <= 1e-9 * scale || points.count < 3 {
            let f = fallbackNormal.double
            if length(f) > 1e-12 { n = f / length(f) }
        }
        let nl = length(n)
        n = nl > 0 ? n / nl : Vec3d(0, 0, 1)
        let nf = n.float
        let w = -Float(dot(n, mean))
        var maxD: Float = 0
        for p in points { maxD = max(maxD, abs(dot(nf, p) + w)) }
        plane = SIMD4(nf.x, nf.y, nf.z, w)
        maxDistance = maxD
    }

    /// Eigen-decomposition of a symmetric 3×3 matrix by cyclic Jacobi: eigenvalues, and the
    /// eigenvectors as the columns of the returned matrix (`v[row][column]`).
    static func symmetricEigen3(_ m: [[Double]]) -> ([Double], [[Double]]) {
        var a = m
        var v: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        for _ in 0..<32 {
            let off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2]
            let diag = a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2]
            if off <= 1e-30 * max(diag, 1e-300) { break }
            for (p, q) in [(0, 1), (0, 2), (1, 2)] where a[p][q] != 0 {
                let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<3 {   // A ← A·J
                    let akp = a[k][p], akq = a[k][q]
                    a[k][p] = c * akp - s * akq; a[k][q] = s * akp + c * akq
                }
                for k in 0..<3 {   // A ← Jᵀ·A
                    let apk = a[p][k], aqk = a[q][k]
                    a[p][k] = c * apk - s * aqk; a[q][k] = s * apk + c * aqk
                }
                for k in 0..<3 {   // V ← V·J
                    let vkp = v[k][p], vkq = v[k][q]
                    v[k][p] = c * vkp - s * vkq; v[k][q] = s * vkp + c * vkq
                }
            }
        }
        return ([a[0][0], a[1][1], a[2][2]], v)
    }
}
