import Support
import TensorCore

/// out[n, …] = ca[n]·a[n, …] + cb[n]·b[n, …] for tensors [N, …] of equal shape, with per-sample
/// coefficients (evaluated in Double, rounded once to Float). The one kernel behind the forward
/// process, the posterior mean and the ε / v / x₀ conversions. No gradient is recorded: these
/// make training targets and sampler states, never something to differentiate.
func perSampleCombination(_ a: Tensor, _ ca: [Double], _ b: Tensor, _ cb: [Double]) -> Tensor {
    precondition(a.shape == b.shape && a.rank >= 1, "perSampleCombination: shapes \(a.shape) and \(b.shape)")
    let n = a.shape[0]
    precondition(ca.count == n && cb.count == n, "perSampleCombination: \(ca.count)/\(cb.count) coefficients for batch \(n)")
    let per = n == 0 ? 0 : a.count / n
    let out = Tensor(uninitializedShape: a.shape)
    let pa = a.data, pb = b.data, po = out.mutableData
    ca.withUnsafeBufferPointer { ca in
        cb.withUnsafeBufferPointer { cb in
            parallelFor(a.count, minChunk: 16_384) { r in
                for i in r {
                    let s = i / per
                    po[i] = Float(ca[s] * Double(pa[i]) + cb[s] * Double(pb[i]))
                }
            }
        }
    }
    return out
}

/// Coefficients of `values` picked at `entries`.
@inline(__always)
func pick(_ values: [Double], _ entries: [Int]) -> [Double] { entries.map { values[$0] } }
