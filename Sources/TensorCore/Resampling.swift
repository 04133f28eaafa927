import Foundation
import Support

// Nearest-neighbour upsampling and average-pool downsampling of NCHW feature maps by an integer
// factor (the U-Net's up/down paths), forward and backward.

extension Tensor {
    /// Nearest upsampling by `factor`: [N, C, H, W] → [N, C, H·f, W·f], out[y, x] = in[y/f, x/f].
    /// Backward: each input pixel receives the sum of its f×f copies.
    public func upsampleNearest(_ factor: Int = 2) -> Tensor {
        precondition(rank == 4 && factor >= 1, "upsampleNearest: input \(shape), factor \(factor)")
        let planes = shape[0] * shape[1], h = shape[2], w = shape[3], f = factor
        let ho = h * f, wo = w * f
        let out = Tensor(uninitializedShape: [shape[0], shape[1], ho, wo])
        let px = data, po = out.mutableData
        parallelFor(planes * h, minChunk: max(1, 16_384 / max(1, wo * f))) { r in
            for row in r {
                let pl = row / h, y = row % h
                let s = px + pl * h * w + y * w
                let d0 = po + pl * ho * wo + y * f * wo
                for x in 0..<w { let v = s[x]; for k in 0..<f { d0[x * f + k] = v } }
                for k in 1..<max(1, f) { (d0 + k * wo).update(from: d0, count: wo) }
            }
        }
        let src = shape
        return out.record("upsampleNearest", [self]) { g in
            let gx = Tensor(uninitializedShape: src)
            let pg = g.data, pd = gx.mutableData
            parallelFor(planes * h, minChunk: max(1, 16_384 / max(1, wo * f))) { r in
                for row in r {
                    let pl = row / h, y = row % h
                    let d = pd + pl * h * w + y * w
                    for x in 0..<w {
                        var s: Float = 0
                        for a in 0..<f { let gr = pg + pl * ho * wo + (y * f + a) * wo + x * f; for b in 0..<f { s += gr[b] } }
                        d[x] = s
                    }
                }
            }
            return [gx]
        }
    }

    /// Average pooling over non-overlapping f×f windows: [N, C, H, W] → [N, C, H/f, W/f]
    /// (H and W must be multiples of f). Backward: each input pixel receives g/f².
    public func avgPool2d(_ factor: Int = 2) -> Tensor {
        precondition(rank == 4 && factor >= 1 && shape[2] % factor == 0 && shape[3] % factor == 0,
                     "avgPool2d: input \(shape) not divisible by \(factor)")
        let planes = shape[0] * shape[1], h = shape[2], w = shape[3], f = factor
        let ho = h / f, wo = w / f
        let out = Tensor(uninitializedShape: [shape[0], shape[1], ho, wo])
        let px = data, po = out.mutableData
        let scale = 1 / Float(f * f)
        parallelFor(planes * ho, minChunk: max(1, 16_384 / max(1, w * f))) { r in
            for row in r {
                let pl = row / ho, y = row % ho
                let d = po + pl * ho * wo + y * wo
                for x in 0..<wo {
                    var s: Float = 0
                    for a in 0..<f { let sr = px + pl * h * w + (y * f + a) * w + x * f; for b in 0..<f { s += sr[b] } }
                    d[x] = s * scale
                }
            }
        }
        let src = shape
        return out.record("avgPool2d", [self]) { g in
            let gx = Tensor(uninitializedShape: src)
            let pg = g.data, pd = gx.mutableData
            parallelFor(planes * ho, minChunk: max(1, 16_384 / max(1, w * f))) { r in
                for row in r {
                    let pl = row / ho, y = row % ho
                    let s = pg + pl * ho * wo + y * wo
                    for a in 0..<f {
                        let d = pd + pl * h * w + (y * f + a) * w
                        for x in 0..<wo { let v = s[x] * scale; for b in 0..<f { d[x * f + b] = v } }
                    }
                }
            }
            return [gx]
        }
    }
}

// Pixel unshuffle / shuffle (space-to-depth and back; Shi et al., "Real-Time Single Image and
// Video Super-Resolution Using an Efficient Sub-Pixel Convolutional Neural Network", CVPR 2016),
// with PyTorch's channel order so weights map one to one: for factor p,
//     unshuffled[n, c·p² + i·p + j, y, x] = x[n, c, y·p + i, x·p + j].
// Both are a reshape and a permutation, so their backward is the other one.
extension Tensor {
    /// Space to depth: [N, C, H·p, W·p] → [N, C·p², H, W] (H·p and W·p multiples of p; p = 1 is
    /// the identity). PyTorch's `F.pixel_unshuffle`.
    public func pixelUnshuffled(_ p: Int) -> Tensor {
        precondition(rank == 4 && p >= 1 && shape[2] % p == 0 && shape[3] % p == 0, "pixelUnshuffled: input \(shape) not divisible by \(p)")
        if p == 1 { return self }
        let n = shape[0], c = shape[1], h = shape[2] / p, w = shape[3] / p
        return reshaped([n, c, h, p, w, p]).permuted([0, 1, 3, 5, 2, 4]).reshaped([n, c * p * p, h, w])
    }

    /// Depth to space, the inverse of `pixelUnshuffled`: [N, C·p², H, W] → [N, C, H·p, W·p].
    /// PyTorch's `F.pixel_shuffle`.
    public func pixelShuffled(_ p: Int) -> Tensor {
        precondition(rank == 4 && p >= 1 && shape[1] % (p * p) == 0, "pixelShuffled: \(shape[1]) channels not divisible by \(p * p)")
        if p == 1 { return self }
        let n = shape[0], c = shape[1] / (p * p), h = shape[2], w = shape[3]
        return reshaped([n, c, p, p, h, w]).permuted([0, 1, 4, 2, 5, 3]).reshaped([n, c, h * p, w * p])
    }
}
