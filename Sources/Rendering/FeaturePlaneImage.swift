import Foundation

/// Feature planes as colour images: the C channels of every pixel projected on their first three
/// principal components (computed over all planes together, so one colour means one feature
/// vector in every plane), each component mapped to 0…255 between its 1st and 99th percentiles.
/// The three planes of a triplane are drawn side by side by `octoplane render --planes`.
///
/// `values`: P planes × C channels × H × W floats, row-major ([P, C, H, W], NFD's layout); rows
/// (v) go down the image, columns (u) right. With fewer than three channels the missing
/// components are grey; constant planes are mid-grey.
public enum FeaturePlaneImage {
    public static func render(_ values: [Float], planes p: Int, channels c: Int, height h: Int, width w: Int,
                              scale: Int = 1) -> [RGBImage] {
        precondition(p >= 1 && c >= 1 && h >= 1 && w >= 1 && values.count == p * c * h * w, "FeaturePlaneImage: \(values.count) values for [\(p), \(c), \(h), \(w)]")
        precondition(scale >= 1, "scale ≥ 1")
        let hw = h * w, n = p * hw
        // Mean and covariance of the C-dim features over all pixels of all planes (Double).
        var mean = [Double](repeating: 0, count: c)
        for k in 0..<p { for ch in 0..<c { for i in 0..<hw { mean[ch] += Double(values[(k * c + ch) * hw + i]) } } }
        for ch in 0..<c { mean[ch] /= Double(n) }
        var cov = [Double](repeating: 0, count: c * c)
        var f = [Double](repeating: 0, count: c)
        for k in 0..<p {
            for i in 0..<hw {
                for ch in 0..<c { f[ch] = Double(values[(k * c + ch) * hw + i]) - mean[ch] }
                for a in 0..<c { for b in a..<c { cov[a * c + b] += f[a] * f[b] } }
            }
        }
        for a in 0..<c { for b in a..<c { cov[b * c + a] = cov[a * c + b] } }
        let axes = principalAxes(cov, size: c, count: min(3, c))
        // Projections, then a robust range per component.
        var proj = [[Double]](repeating: [Double](repeating: 0, count: n), count: 3)
        for (j, axis) in axes.enumerated() {
            for k in 0..<p {
                for i in 0..<hw {
                    var s = 0.0
                    for ch in 0..<c { s += (Double(values[(k * c + ch) * hw + i]) - mean[ch]) * axis[ch] }
                    proj[j][k * hw + i] = s
                }
            }
        }
        var ranges: [(Double, Double)] = []
        for j in 0..<3 {
            let sorted = proj[j].sorted()
            let lo = sorted[Int(Double(n - 1) * 0.01)], hi = sorted[Int(Double(n - 1) * 0.99)]
            ranges.append((lo, hi))
        }
        return (0..<p).map { k in
            var img = RGBImage(width: w * scale, height: h * scale)
            for y in 0..<h {
                for x in 0..<w {
                    var rgb = SIMD3<UInt8>(128, 128, 128)
                    for j in 0..<3 where j < axes.count {
                        let (lo, hi) = ranges[j]
                        let t = hi > lo ? min(1, max(0, (proj[j][k * hw + y * w + x] - lo) / (hi - lo))) : 0.5
                        rgb[j] = UInt8((t * 255).rounded())
                    }
                    img.fill(x: x * scale, y: y * scale, width: scale, height: scale, with: rgb)
                }
            }
            return img
        }
    }

    /// The `count` leading eigenvectors of a symmetric positive semi-definite `size`² matrix, by
    /// power iteration with deflation (fixed start vectors, 200 iterations: deterministic). A
    /// zero matrix gives unit axes.
    static func principalAxes(_ m: [Double], size c: Int, count: Int) -> [[Double]] {
        var a = m
        var out: [[Double]] = []
        for j in 0..<count {
            var v = (0..<c).map { i in i == j ? 1.0 : 0.1 / Double(i + 1) }
            var lambda = 0.0
            for _ in 0..<200 {
                var u = [Double](repeating: 0, count: c)
                for r in 0..<c { for s in 0..<c { u[r] += a[r * c + s] * v[s] } }
                let norm = u.map { $0 * $0 }.reduce(0, +).squareRoot()
                guard norm > 1e-300 else { break }
                lambda = norm
                v = u.map { $0 / norm }
            }
            out.append(v)
            for r in 0..<c { for s in 0..<c { a[r * c + s] -= lambda * v[r] * v[s] } }
        }
        return out
    }
}
