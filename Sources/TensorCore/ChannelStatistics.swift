import Foundation

/// Per-channel mean and population standard deviation of a set of tensors, each read as
/// [N, C, S] in row-major order (N blocks of `channels` = C channels of `spatial` = S values;
/// N = count / (C·S), and may differ between tensors). Values only, nothing recorded.
///
/// Sums and sums of squares are accumulated in Double, one (block, channel) run of S values at a
/// time, and σ = √max(0, E[x²] − E[x]²). Edge cases: a constant channel has σ = 0 (callers that
/// divide by σ floor it themselves); no values at all (an empty list, or S = 0) gives means and
/// deviations of 0. Used for the triplane normalization (planes [3, C, R, R] read as
/// [1, 3C, R²]) and for the latent statistics of the plane autoencoder ([N, C, h, w] read as
/// [N, C, h·w]).
///
/// - Returns: `mean` and `deviation`, [C] each.
public func channelStatistics(_ tensors: [Tensor], channels: Int, spatial: Int) -> (mean: [Float], deviation: [Float]) {
    precondition(channels > 0 && spatial >= 0, "channelStatistics: \(channels) channels of \(spatial) values")
    var sums = [Double](repeating: 0, count: channels), squares = sums
    var count = 0
    for t in tensors {
        let block = channels * spatial
        precondition(block == 0 ? t.count == 0 : t.count % block == 0, "channelStatistics: \(t.shape) is not [N, \(channels), \(spatial)]")
        let blocks = block == 0 ? 0 : t.count / block, p = t.data
        for n in 0..<blocks {
            for c in 0..<channels {
                let run = p + (n * channels + c) * spatial
                var a = 0.0, b = 0.0
                for i in 0..<spatial { let x = Double(run[i]); a += x; b += x * x }
                sums[c] += a; squares[c] += b
            }
        }
        count += blocks * spatial
    }
    guard count > 0 else { return ([Float](repeating: 0, count: channels), [Float](repeating: 0, count: channels)) }
    let n = Double(count)
    let mean = sums.map { $0 / n }
    return (mean.map { Float($0) }, zip(mean, squares).map { m, b in Float(max(0, b / n - m * m).squareRoot()) })
}
