import Foundation
import Support
import TensorCore

/// NFD's regularizers of triplane fitting (Shue et al., CVPR 2023, §3.2 and its released
/// `triplane_fitting` code), as differentiable scalars.
public enum TriplaneRegularizers {
    /// Norms below this are treated as this (the gradient of ‖x‖ at x = 0 is undefined; PyTorch's
    /// `torch.norm` returns 0 there, we return a bounded value instead of NaN).
    static let normFloor: Float = 1e-12

    /// Total variation: for each plane p of `planes` [P, C, H, W],
    /// ‖P[:, 1:, :] − P[:, :−1, :]‖₂ + ‖P[:, :, 1:] − P[:, :, :−1]‖₂ (unsquared Frobenius norms of
    /// the neighbour differences along H and along W), summed over planes. A constant plane has
    /// TV 0. → rank-0 tensor.
    public static func totalVariation(_ planes: Tensor) -> Tensor {
        precondition(planes.rank == 4, "totalVariation: planes must be [P, C, H, W], got \(planes.shape)")
        let h = planes.shape[2], w = planes.shape[3]
        let dh = planes.slice(axis: 2, 1..<h) - planes.slice(axis: 2, 0..<(h - 1))
        let dw = planes.slice(axis: 3, 1..<w) - planes.slice(axis: 3, 0..<(w - 1))
        let nh = (dh.squared().sum(axes: [1, 2, 3]) + normFloor).sqrt()
        let nw = (dw.squared().sum(axes: [1, 2, 3]) + normFloor).sqrt()
        return (nh + nw).sum()
    }

    /// L2: the Frobenius norm of each plane (unsquared), summed over planes. → rank-0 tensor.
    public static func l2(_ planes: Tensor) -> Tensor {
        precondition(planes.rank == 4, "l2: planes must be [P, C, H, W], got \(planes.shape)")
        return (planes.squared().sum(axes: [1, 2, 3]) + normFloor).sqrt().sum()
    }

    /// Explicit density regularization: mean squared difference between the decoder's outputs at
    /// `count` uniform points u in [-1, 1]³ and at u + N(0, σ²) (σ = 0.01 in NFD), both with
    /// gradients. It keeps the field from growing density spikes in empty space, which a
    /// diffusion model would otherwise have to learn. → rank-0 tensor.
    public static func explicitDensity(_ decoder: TriplaneDecoder, planes: [Tensor], count: Int, sigma: Float = 0.01,
                                       rng: inout SeededRandom) -> Tensor {
        let per = max(1, count / max(1, planes.count))
        var a: [Tensor] = [], b: [Tensor] = []
        for _ in planes {
            var u = [Float](repeating: 0, count: 3 * per), v = u
            for i in 0..<(3 * per) { u[i] = rng.uniform(-1, 1); v[i] = u[i] + sigma * rng.normal() }
            a.append(Tensor(u, shape: [per, 3])); b.append(Tensor(v, shape: [per, 3]))
        }
        let n = per * planes.count
        let out = decoder(planes + planes, at: a + b)     // one MLP call: [u of every object, then u + noise]
        return mseLoss(out.slice(axis: 0, 0..<n), out.slice(axis: 0, n..<(2 * n)))
    }

    /// The data term plus NFD's regularizers over a batch of objects' planes, the one loss of both
    /// phases: data + edrWeight·EDR(`edrPoints` points) + tvWeight·mean TV + l2Weight·mean L2
    /// (means over `planes`, as NFD divides its sums by the number of objects). A zero weight (or
    /// zero EDR points) skips its term and its random draws.
    public static func regularizedLoss(_ data: Tensor, decoder: TriplaneDecoder, planes: [Tensor], edrWeight: Float, edrPoints: Int,
                                       tvWeight: Float, l2Weight: Float, rng: inout SeededRandom) -> Tensor {
        var loss = data
        if edrWeight > 0 && edrPoints > 0 {
            loss = loss + edrWeight * explicitDensity(decoder, planes: planes, count: edrPoints, rng: &rng)
        }
        let invB = 1 / Float(planes.count)
        if tvWeight > 0 { loss = loss + (tvWeight * invB) * planes.map(totalVariation).reduce(Tensor(scalar: 0), +) }
        if l2Weight > 0 { loss = loss + (l2Weight * invB) * planes.map(l2).reduce(Tensor(scalar: 0), +) }
        return loss
    }
}
