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
