import Dispatch
import Foundation
import Support

// Bilinear sampling of stacked 2-D feature planes at arbitrary points — the triplane op of
// neural field decoders (Chan et al., "Efficient Geometry-aware 3D Generative Adversarial
// Networks" (EG3D), CVPR 2022; Shue et al., "3D Neural Field Generation using Triplane
// Diffusion" (NFD), CVPR 2023). Semantics are those of PyTorch's `grid_sample(mode='bilinear',
// padding_mode='zeros')` applied to each plane, with `align_corners` selectable.

/// Which two point coordinates address a plane: `u` runs along the plane's width (last axis, W),
/// `v` along its height (H) — `grid[..., 0]` and `grid[..., 1]` of `grid_sample`.
public struct PlaneAxes: Sendable, Equatable {
    public var u: Int
    public var v: Int
    public init(u: Int, v: Int) { self.u = u; self.v = v }

    /// NFD's triplane: planes (x, y), (y, z), (x, z), in that order.
    public static let triplane: [PlaneAxes] = [PlaneAxes(u: 0, v: 1), PlaneAxes(u: 1, v: 2), PlaneAxes(u: 0, v: 2)]
}

/// How the features of the planes are combined per point.
public enum PlaneCombine: Sendable {
    /// Σ over planes → [N, C] (NFD).
    case sum
    /// Planes side by side → [N, P·C] (plane-major: columns p·C ..< (p+1)·C come from plane p).
    case concat
}

/// Continuous pixel coordinate of normalized coordinate `x ∈ [-1, 1]` on an axis of `size` pixels,
/// and its derivative: align_corners → −1 and 1 are the centres of the first and last pixels;
/// otherwise they are the outer edges of those pixels.
@inline(__always)
func unnormalize(_ x: Float, size: Int, alignCorners: Bool) -> (Float, Float) {
    if alignCorners { let s = Float(size - 1) * 0.5; return ((x + 1) * s, s) }
    let s = Float(size) * 0.5
    return ((x + 1) * s - 0.5, s)
}

/// The four bilinear taps of one plane at one point: corner offsets into a channels-last plane
/// (−1 where the corner lies outside, zero padding) and their weights, plus the fractional
/// position (for the point gradient).
@usableFromInline
struct BilinearTaps {
    var o00 = -1, o10 = -1, o01 = -1, o11 = -1   // (x0,y0) (x1,y0) (x0,y1) (x1,y1), in units of C
    var tx: Float = 0, ty: Float = 0
    var su: Float = 0, sv: Float = 0             // d(pixel)/d(normalized) along u and v

    @inline(__always)
    init(u: Float, v: Float, h: Int, w: Int, alignCorners: Bool) {
        let (ix, sx) = unnormalize(u, size: w, alignCorners: alignCorners)
        let (iy, sy) = unnormalize(v, size: h, alignCorners: alignCorners)
        su = sx; sv = sy
        guard ix.isFinite && iy.isFinite, ix > -1, iy > -1, ix < Float(w), iy < Float(h) else { return }
        let fx = ix.rounded(.down), fy = iy.rounded(.down)
        let x0 = Int(fx), y0 = Int(fy)
        tx = ix - fx; ty = iy - fy
        let inX0 = x0 >= 0, inX1 = x0 + 1 < w, inY0 = y0 >= 0, inY1 = y0 + 1 < h
        if inY0 { if inX0 { o00 = y0 * w + x0 }; if inX1 { o10 = y0 * w + x0 + 1 } }
        if inY1 { if inX0 { o01 = (y0 + 1) * w + x0 }; if inX1 { o11 = (y0 + 1) * w + x0 + 1 } }
    }
    var w00: Float { (1 - tx) * (1 - ty) }
    var w10: Float { tx * (1 - ty) }
    var w01: Float { (1 - tx) * ty }
    var w11: Float { tx * ty }
}

/// out[0..<c] += w · src[0..<c]  (SIMD over channels).
@inline(__always)
func axpy(_ c: Int, _ w: Float, _ src: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
    var j = 0
    let wv = SIMD8<Float>(repeating: w)
    while j + 8 <= c {
        let s = UnsafeRawPointer(src + j).loadUnaligned(as: SIMD8<Float>.self)
        let o = UnsafeRawPointer(out + j).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(out + j).storeBytes(of: o + wv * s, as: SIMD8<Float>.self)
        j += 8
    }
    while j < c { out[j] += w * src[j]; j += 1 }
}

/// Σ a[0..<c]·b[0..<c].
@inline(__always)
func dot(_ c: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) -> Float {
    var j = 0
    var acc = SIMD8<Float>(repeating: 0)
    while j + 8 <= c {
        acc += UnsafeRawPointer(a + j).loadUnaligned(as: SIMD8<Float>.self) * UnsafeRawPointer(b + j).loadUnaligned(as: SIMD8<Float>.self)
        j += 8
    }
    var s = acc.sum()
    while j < c { s += a[j] * b[j]; j += 1 }
    return s
}

/// [P, C, H, W] → [P, H, W, C] (or back with `inverse`), in parallel over planes × rows.
func transposePlanes(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, p: Int, c: Int, hw: Int, toChannelsLast: Bool) {
    let tile = 64
    let tiles = (hw + tile - 1) / tile
    parallelFor(p * tiles, minChunk: max(1, 4096 / max(1, c * tile))) { r in
        for t in r {
            let pl = t / tiles, lo = (t % tiles) * tile, hi = min(hw, lo + tile)
            let s = src + pl * c * hw, d = dst + pl * c * hw
            if toChannelsLast {
                for ch in 0..<c { for i in lo..<hi { d[i * c + ch] = s[ch * hw + i] } }
            } else {
                for ch in 0..<c { for i in lo..<hi { d[ch * hw + i] = s[i * c + ch] } }
            }
        }
    }
}

/// Bilinearly samples feature planes at points, with gradients to the planes and (when the points
/// require grad) to the points.
///
/// - `planes`: [P, C, H, W] (PyTorch's NCHW with one "batch" entry per plane).
/// - `points`: [N, D] normalized coordinates, D ≥ max coordinate index used by `axes`; −1 and 1 are
///   the plane's borders as `grid_sample` defines them for `alignCorners`.
/// - `axes`: P entries; plane p is addressed by (points[:, axes[p].u], points[:, axes[p].v]).
/// - Result: [N, C] for `.sum`, [N, P·C] for `.concat`.
///
/// Outside the planes the features are zero (zero padding: each of the four taps that falls
/// outside contributes nothing, so values fade to zero within one pixel of the border). The point
/// gradient is the derivative of the bilinear interpolant inside its cell (undefined on cell
/// edges, where the one-sided value of the cell containing the point is used — as PyTorch).
///
/// Implementation: planes are transposed to channels-last once per call so each tap reads C
/// contiguous floats; points are split across `Parallelism.threadCount` threads; the plane
/// gradient scatters into one private channels-last buffer per thread, summed (and transposed
/// back) at the end — no atomics, deterministic for a given thread count.
public func samplePlanes(_ planes: Tensor, at points: Tensor, axes: [PlaneAxes] = PlaneAxes.triplane,
                         alignCorners: Bool = true, combine: PlaneCombine = .sum) -> Tensor {
    precondition(planes.rank == 4, "samplePlanes: planes must be [P, C, H, W], got \(planes.shape)")
    precondition(points.rank == 2, "samplePlanes: points must be [N, D], got \(points.shape)")
    let p = planes.shape[0], c = planes.shape[1], h = planes.shape[2], w = planes.shape[3]
    let n = points.shape[0], d = points.shape[1]
    precondition(axes.count == p, "samplePlanes: \(axes.count) plane axes for \(p) planes")
    precondition(axes.allSatisfy { $0.u >= 0 && $0.u < d && $0.v >= 0 && $0.v < d }, "samplePlanes: axes \(axes) outside point dimension \(d)")
    precondition(h > 0 && w > 0, "samplePlanes: empty planes \(planes.shape)")
    let hw = h * w
    let cl = Tensor(uninitializedShape: [p, h, w, c])
    transposePlanes(planes.data, cl.mutableData, p: p, c: c, hw: hw, toChannelsLast: true)
    let outC = combine == .sum ? c : p * c
    let out = Tensor(zeros: [n, outC])
    let pcl = UnsafePointer(cl.mutableData), ppt = points.data, po = out.mutableData
    let axesU = axes.map(\.u), axesV = axes.map(\.v)
    parallelFor(n, minChunk: 256) { r in
        for i in r {
            let q = ppt + i * d
            for pl in 0..<p {
                let t = BilinearTaps(u: q[axesU[pl]], v: q[axesV[pl]], h: h, w: w, alignCorners: alignCorners)
                let base = pcl + pl * hw * c
                let o = po + i * outC + (combine == .sum ? 0 : pl * c)
                if t.o00 >= 0 { axpy(c, t.w00, base + t.o00 * c, o) }
                if t.o10 >= 0 { axpy(c, t.w10, base + t.o10 * c, o) }
                if t.o01 >= 0 { axpy(c, t.w01, base + t.o01 * c, o) }
                if t.o11 >= 0 { axpy(c, t.w11, base + t.o11 * c, o) }
            }
        }
    }
    return out.record("samplePlanes", [planes, points]) { g in
        // `cl` (the channels-last planes behind `pcl`) must live as long as this closure.
        withExtendedLifetime(cl) { samplePlanesBackward(g) }
    }
    func samplePlanesBackward(_ g: Tensor) -> [Tensor?] {
        let pg = g.data
        var gPlanes: Tensor? = nil, gPoints: Tensor? = nil
        let wantPoints = points.requiresGrad
        let gpt = wantPoints ? Tensor(zeros: points.shape) : nil
        let pgpt = gpt?.mutableData
        if planes.requiresGrad || wantPoints {
            let threads = max(1, min(Parallelism.threadCount, (n + 1023) / 1024))
            let planeSize = p * hw * c
            let wantPlanes = planes.requiresGrad
            let bufs = wantPlanes ? TensorStorage(zeros: threads * planeSize) : TensorStorage(uninitialized: 0)
            let pb = bufs.pointer
            defer { withExtendedLifetime(bufs) {} }
            DispatchQueue.concurrentPerform(iterations: threads) { tIdx in
                let lo = tIdx * n / threads, hi = (tIdx + 1) * n / threads
                let gbuf = pb + tIdx * planeSize
                for i in lo..<hi {
                    let q = ppt + i * d
                    for pl in 0..<p {
                        let t = BilinearTaps(u: q[axesU[pl]], v: q[axesV[pl]], h: h, w: w, alignCorners: alignCorners)
                        let gi = pg + i * outC + (combine == .sum ? 0 : pl * c)
                        if wantPlanes {
                            let gb = gbuf + pl * hw * c
                            if t.o00 >= 0 { axpy(c, t.w00, gi, gb + t.o00 * c) }
                            if t.o10 >= 0 { axpy(c, t.w10, gi, gb + t.o10 * c) }
                            if t.o01 >= 0 { axpy(c, t.w01, gi, gb + t.o01 * c) }
                            if t.o11 >= 0 { axpy(c, t.w11, gi, gb + t.o11 * c) }
                        }
                        if let pgpt {
                            let base = pcl + pl * hw * c
                            let f00 = t.o00 >= 0 ? dot(c, gi, base + t.o00 * c) : 0
                            let f10 = t.o10 >= 0 ? dot(c, gi, base + t.o10 * c) : 0
                            let f01 = t.o01 >= 0 ? dot(c, gi, base + t.o01 * c) : 0
                            let f11 = t.o11 >= 0 ? dot(c, gi, base + t.o11 * c) : 0
                            let dtx = (1 - t.ty) * (f10 - f00) + t.ty * (f11 - f01)
                            let dty = (1 - t.tx) * (f01 - f00) + t.tx * (f11 - f10)
                            pgpt[i * d + axesU[pl]] += dtx * t.su
                            pgpt[i * d + axesV[pl]] += dty * t.sv
                        }
                    }
                }
            }
            if wantPlanes {
                // Sum the per-thread buffers into buffer 0, then transpose back to [P, C, H, W].
                if threads > 1 {
                    parallelFor(planeSize, minChunk: elementwiseGrain) { r in
                        for t in 1..<threads { let src = pb + t * planeSize; for j in r { pb[j] += src[j] } }
                    }
                }
                let gp = Tensor(uninitializedShape: planes.shape)
                transposePlanes(pb, gp.mutableData, p: p, c: c, hw: hw, toChannelsLast: false)
                gPlanes = gp
            }
        }
        gPoints = gpt
        return [gPlanes, gPoints]
    }
}
