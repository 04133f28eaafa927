import Foundation
import Support

// 2-D convolution (cross-correlation, as every deep-learning framework computes it) and its
// transpose, by im2col + sgemm (Chellapilla, Puri & Simard, "High Performance Convolutional Neural
// Networks for Document Processing", IWFHR 2006). Layouts are PyTorch's: activations NCHW,
// conv weights [Cout, Cin, kh, kw], transposed-conv weights [Cin, Cout, kh, kw].

/// Geometry of one convolution: input C×H×W, kernel kh×kw, stride, zero padding.
@usableFromInline
struct ConvGeometry {
    let c, h, w, kh, kw, stride, pad: Int
    var ho: Int { (h + 2 * pad - kh) / stride + 1 }
    var wo: Int { (w + 2 * pad - kw) / stride + 1 }
    /// Rows of the column matrix (C·kh·kw).
    var k: Int { c * kh * kw }
    /// Whether the column matrix is the input itself (1×1, stride 1, no padding).
    var isIdentity: Bool { kh == 1 && kw == 1 && stride == 1 && pad == 0 }
}

/// col[(c·kh + i)·kw + j, oy·Wo + ox] = x[c, oy·s − p + i, ox·s − p + j] (0 outside).
/// `x` is one image [C, H, W]; `col` is [C·kh·kw, Ho·Wo]. Parallel over rows.
func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, _ col: UnsafeMutablePointer<Float>) {
    let ho = g.ho, wo = g.wo, hw = ho * wo
    parallelFor(g.k, minChunk: max(1, 16_384 / max(1, hw))) { rows in
        for r in rows {
            let c = r / (g.kh * g.kw), i = (r / g.kw) % g.kh, j = r % g.kw
            let src = x + c * g.h * g.w
            let dst = col + r * hw
            // Valid output columns: 0 ≤ ox·s − p + j < W.
            let ox0 = max(0, (g.pad - j + g.stride - 1) / g.stride)
            let ox1 = min(wo, (g.w + g.pad - j + g.stride - 1) / g.stride)
            for oy in 0..<ho {
                let iy = oy * g.stride - g.pad + i
                let d = dst + oy * wo
                if iy < 0 || iy >= g.h || ox0 >= ox1 { d.update(repeating: 0, count: wo); continue }
                if ox0 > 0 { d.update(repeating: 0, count: ox0) }
                if ox1 < wo { (d + ox1).update(repeating: 0, count: wo - ox1) }
                let s = src + iy * g.w - g.pad + j
                if g.stride == 1 {
                    (d + ox0).update(from: s + ox0, count: ox1 - ox0)
                } else {
                    for ox in ox0..<ox1 { d[ox] = s[ox * g.stride] }
                }
            }
        }
    }
}

/// The adjoint of `im2col`: x[c, iy, ix] += col[…] (x is overwritten, not accumulated into).
/// Parallel over channels (each channel's rows write only that channel).
func col2im(_ col: UnsafePointer<Float>, _ g: ConvGeometry, _ x: UnsafeMutablePointer<Float>) {
    let ho = g.ho, wo = g.wo, hw = ho * wo, kk = g.kh * g.kw
    parallelFor(g.c, minChunk: max(1, 16_384 / max(1, hw * kk))) { chans in
        for c in chans {
            let dstC = x + c * g.h * g.w
            dstC.update(repeating: 0, count: g.h * g.w)
            for i in 0..<g.kh {
                for j in 0..<g.kw {
                    let src = col + ((c * g.kh + i) * g.kw + j) * hw
                    let ox0 = max(0, (g.pad - j + g.stride - 1) / g.stride)
                    let ox1 = min(wo, (g.w + g.pad - j + g.stride - 1) / g.stride)
                    if ox0 >= ox1 { continue }
                    for oy in 0..<ho {
                        let iy = oy * g.stride - g.pad + i
                        if iy < 0 || iy >= g.h { continue }
                        let d = dstC + iy * g.w - g.pad + j, s = src + oy * wo
                        if g.stride == 1 {
                            for ox in ox0..<ox1 { d[ox] += s[ox] }
                        } else {
                            for ox in ox0..<ox1 { d[ox * g.stride] += s[ox] }
                        }
                    }
                }
            }
        }
    }
}

/// Scratch space for one column matrix (reused across the images of a batch).
final class ColumnBuffer {
    let storage: TensorStorage
    init(_ count: Int) { storage = TensorStorage(uninitialized: count) }
    var pointer: UnsafeMutablePointer<Float> { storage.pointer }
}

/// Σ over batch and space of g [N, C, HW] → [C].
func channelSums(_ g: Tensor, n: Int, c: Int, hw: Int) -> Tensor {
    let out = Tensor(zeros: [c])
    let pg = g.data, po = out.mutableData
    parallelFor(c, minChunk: max(1, 16_384 / max(1, n * hw))) { r in
        for ch in r {
            var s: Float = 0
            for b in 0..<n { let p = pg + (b * c + ch) * hw; for i in 0..<hw { s += p[i] } }
            po[ch] = s
        }
    }
    return out
}

/// 2-D convolution: `x` [N, Cin, H, W], `weight` [Cout, Cin, kh, kw], `bias` [Cout] →
/// [N, Cout, Ho, Wo] with Ho = ⌊(H + 2·padding − kh)/stride⌋ + 1 (likewise Wo). Zero padding.
///
/// Per image: one im2col (skipped for 1×1 stride-1 kernels) and one sgemm W[Cout, K]·col[K, HoWo].
/// Backward per image: dW += dY·colᵀ, dcol = Wᵀ·dY then col2im; the columns are recomputed rather
/// than kept (memory stays at one column matrix whatever the batch).
public func conv2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
    precondition(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1],
                 "conv2d: input \(x.shape) with weight \(weight.shape)")
    precondition(stride >= 1 && padding >= 0, "conv2d: stride \(stride), padding \(padding)")
    let n = x.shape[0], cout = weight.shape[0]
    let g = ConvGeometry(c: x.shape[1], h: x.shape[2], w: x.shape[3], kh: weight.shape[2], kw: weight.shape[3], stride: stride, pad: padding)
    precondition(g.ho >= 1 && g.wo >= 1, "conv2d: kernel \(g.kh)×\(g.kw) larger than padded input \(x.shape)")
    if let bias { precondition(bias.shape == [cout], "conv2d: bias \(bias.shape) for \(cout) channels") }
    let hw = g.ho * g.wo, inSize = g.c * g.h * g.w, k = g.k
    let out = Tensor(uninitializedShape: [n, cout, g.ho, g.wo])
    let po = out.mutableData, px = x.data, pw = weight.data
    let col = g.isIdentity ? nil : ColumnBuffer(k * hw)
    for b in 0..<n {
        let ob = po + b * cout * hw
        if let bias {
            let pb = bias.data
            parallelFor(cout, minChunk: max(1, 16_384 / max(1, hw))) { r in for ch in r { (ob + ch * hw).update(repeating: pb[ch], count: hw) } }
        }
        let cp: UnsafePointer<Float>
        if let col { im2col(px + b * inSize, g, col.pointer); cp = UnsafePointer(col.pointer) } else { cp = px + b * inSize }
        sgemm(false, false, m: cout, n: hw, k: k, pw, cp, beta: bias == nil ? 0 : 1, ob)
    }
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return out.record("conv2d", inputs) { gy in
        let pg = gy.data
        let gx = x.requiresGrad ? Tensor(uninitializedShape: x.shape) : nil
        let gw = weight.requiresGrad ? Tensor(zeros: weight.shape) : nil
        let colB = g.isIdentity ? nil : ColumnBuffer(k * hw)
        for b in 0..<n {
            let gb = pg + b * cout * hw
            if let gw {
                let cp: UnsafePointer<Float>
                if let colB { im2col(px + b * inSize, g, colB.pointer); cp = UnsafePointer(colB.pointer) } else { cp = px + b * inSize }
                sgemm(false, true, m: cout, n: k, k: hw, gb, cp, beta: 1, gw.mutableData)
            }
            if let gx {
                let dst = gx.mutableData + b * inSize
                if let colB {
                    sgemm(true, false, m: k, n: hw, k: cout, pw, gb, colB.pointer)
                    col2im(colB.pointer, g, dst)
                } else {
                    sgemm(true, false, m: k, n: hw, k: cout, pw, gb, dst)
                }
            }
        }
        var grads: [Tensor?] = [gx, gw]
        if let bias { grads.append(bias.requiresGrad ? channelSums(gy, n: n, c: cout, hw: hw) : nil) }
        return grads
    }
}

/// Transposed 2-D convolution (the adjoint of `conv2d` with respect to its input — "deconvolution",
/// a learned upsampling): `x` [N, Cin, H, W], `weight` [Cin, Cout, kh, kw] (PyTorch's
/// `ConvTranspose2d` layout), `bias` [Cout] → [N, Cout, Ho, Wo] with
/// Ho = (H − 1)·stride − 2·padding + kh (likewise Wo).
public func convTranspose2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
    precondition(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[0],
                 "convTranspose2d: input \(x.shape) with weight \(weight.shape)")
    let n = x.shape[0], cin = x.shape[1], cout = weight.shape[1], kh = weight.shape[2], kw = weight.shape[3]
    let h = x.shape[2], w = x.shape[3]
    let ho = (h - 1) * stride - 2 * padding + kh, wo = (w - 1) * stride - 2 * padding + kw
    precondition(ho >= 1 && wo >= 1, "convTranspose2d: empty output for input \(x.shape)")
    // The geometry of the forward convolution that maps the output back to the input.
    let g = ConvGeometry(c: cout, h: ho, w: wo, kh: kh, kw: kw, stride: stride, pad: padding)
    precondition(g.ho == h && g.wo == w, "convTranspose2d: inconsistent geometry")
    if let bias { precondition(bias.shape == [cout], "convTranspose2d: bias \(bias.shape) for \(cout) channels") }
    let hw = h * w, k = g.k, outSize = cout * ho * wo
    let out = Tensor(uninitializedShape: [n, cout, ho, wo])
    let po = out.mutableData, px = x.data, pw = weight.data
    let col = g.isIdentity ? nil : ColumnBuffer(k * hw)
    for b in 0..<n {
        let ob = po + b * outSize
        if let col {
            sgemm(true, false, m: k, n: hw, k: cin, pw, px + b * cin * hw, col.pointer)
            col2im(col.pointer, g, ob)
        } else {
            sgemm(true, false, m: k, n: hw, k: cin, pw, px + b * cin * hw, ob)
        }
        if let bias {
            let pb = bias.data, ohw = ho * wo
            parallelFor(cout, minChunk: max(1, 16_384 / max(1, ohw))) { r in
                for ch in r { let p = ob + ch * ohw; for i in 0..<ohw { p[i] += pb[ch] } }
            }
        }
    }
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return out.record("convTranspose2d", inputs) { gy in
        let pg = gy.data
        let gx = x.requiresGrad ? Tensor(uninitializedShape: x.shape) : nil
        let gw = weight.requiresGrad ? Tensor(zeros: weight.shape) : nil
        let colB = g.isIdentity ? nil : ColumnBuffer(k * hw)
        for b in 0..<n {
            let cp: UnsafePointer<Float>
            if let colB { im2col(pg + b * outSize, g, colB.pointer); cp = UnsafePointer(colB.pointer) } else { cp = pg + b * outSize }
            if let gx { sgemm(false, false, m: cin, n: hw, k: k, pw, cp, gx.mutableData + b * cin * hw) }
            if let gw { sgemm(false, true, m: cin, n: k, k: hw, px + b * cin * hw, cp, beta: 1, gw.mutableData) }
        }
        var grads: [Tensor?] = [gx, gw]
        if let bias { grads.append(bias.requiresGrad ? channelSums(gy, n: n, c: cout, hw: ho * wo) : nil) }
        return grads
    }
}
