import Foundation
import Support
import TensorCore

/// Inverted dropout (Srivastava et al., JMLR 2014): every element of `x` is kept with probability
/// 1 − p and then scaled by 1 / (1 − p), or zeroed — so E[dropout(x)] = x and nothing needs to change
/// at inference, where the caller simply does not call it.
///
/// One uniform draw per element from `rng`, in row-major order (so a seeded caller that stores the
/// generator's state resumes bit for bit). The gradient flows through the same mask (x · m).
/// Edge cases: p = 0 returns `x` itself and draws nothing; an empty tensor draws nothing.
/// Precondition: 0 ≤ p < 1.
public func dropout(_ x: Tensor, p: Float, rng: inout SeededRandom) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout probability must lie in [0, 1), got \(p)")
    guard p > 0, x.count > 0 else { return x }
    let scale = 1 / (1 - p)
    let mask = Tensor(uninitializedShape: x.shape)
    let m = mask.mutableData
    for i in 0..<mask.count { m[i] = rng.nextFloat() < p ? 0 : scale }
    return x * mask
}
