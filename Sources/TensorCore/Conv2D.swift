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

/// `d[0..<count] = s[0..<count]` (or 0 when `s` is nil) inline, 8 wide: im2col's rows are 8–64
/// floats, for which a `memmove`/`memset` call per row (and per 1-float border) cost more than
/// the copy itself. Tails without loops, so the compiler cannot turn them back into calls.
@inline(__always)
private func copyRow(_ d: UnsafeMutablePointer<Float>, _ s: UnsafePointer<Float>?, _ count: Int) {
    var t = 0
    if let s {
        while t + 8 <= count {
            UnsafeMutableRawPointer(d + t).storeBytes(of: UnsafeRawPointer(s + t).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
            t += 8
        }
        if count - t >= 4 {
            UnsafeMutableRawPointer(d + t).storeBytes(of: UnsafeRawPointer(s + t).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
            t += 4
        }
        if count - t >= 2 { d[t] = s[t]; d[t + 1] = s[t + 1]; t += 2 }
        if count - t >= 1 { d[t] = s[t] }
    } else {
        while t + 8 <= count { UnsafeMutableRawPointer(d + t).storeBytes(of: SIMD8<Float>(), as: SIMD8<Float>.self); t += 8 }
        if count - t >= 4 { UnsafeMutableRawPointer(d + t).storeBytes(of: SIMD4<Float>(), as: SIMD4<Float>.self); t += 4 }
        if count - t >= 2 { d[t] = 0; d[t + 1] = 0; t += 2 }
        if count - t >= 1 { d[t] = 0 }
    }
}

/// col[(c·kh + i)·kw + j, oy·Wo + ox] = x[c, oy·s − p + i, ox·s − p + j] (0 outside).
/// `x` is one image [C, H, W]; `col` is [C·kh·kw, Ho·Wo], or [C·kh·kw, |outputRows|·Wo] for the
/// output rows `outputRows` only (a tile). Parallel over rows unless `parallel` is false (callers
/// that are themselves one worker of a parallel loop).
func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, _ col: UnsafeMutablePointer<Float>, parallel: Bool = true,
            outputRows: Range<Int>? = nil) {
    let wo = g.wo, oys = outputRows ?? 0..<g.ho, span = oys.count * wo
    parallelFor(g.k, minChunk: parallel ? max(1, 16_384 / max(1, span)) : g.k) { rows in
        for r in rows {
            let c = r / (g.kh * g.kw), i = (r / g.kw) % g.kh, j = r % g.kw
            let src = x + c * g.h * g.w
            let dst = col + r * span
            // Valid output columns: 0 ≤ ox·s − p + j < W.
            let ox0 = max(0, (g.pad - j + g.stride - 1) / g.stride)
            let ox1 = min(wo, (g.w + g.pad - j + g.stride - 1) / g.stride)
            if g.stride == 1 && wo == g.w {
                // "Same" convolution: output and input rows have one length, so the tap's valid rows
                // are one flat copy of the input shifted by j − p; the columns that wrapped into a
                // neighbouring row (ox < ox0, ox ≥ ox1) are zeroed after it.
                let shift = j - g.pad
                let vy0 = min(oys.upperBound, max(oys.lowerBound, g.pad - i))
                let vy1 = max(vy0, min(oys.upperBound, g.h + g.pad - i))
                copyRow(dst, nil, (vy0 - oys.lowerBound) * wo)
                copyRow(dst + (vy1 - oys.lowerBound) * wo, nil, (oys.upperBound - vy1) * wo)
                if vy0 < vy1 {
                    let d = dst + (vy0 - oys.lowerBound) * wo, s = src + (vy0 - g.pad + i) * g.w
                    let count = (vy1 - vy0) * wo, lo = max(0, -shift), hi = count - max(0, shift)
                    if lo < hi { copyRow(d + lo, s + lo + shift, hi - lo) }
                    if ox0 > 0 || ox1 < wo {
                        for row in 0..<(vy1 - vy0) {
                            let rr = d + row * wo
                            copyRow(rr, nil, min(ox0, wo))
                            if ox1 < wo { copyRow(rr + max(ox1, 0), nil, wo - max(ox1, 0)) }
                        }
                    }
                }
                continue
            }
            for oy in oys {
                let iy = oy * g.stride - g.pad + i
                let d = dst + (oy - oys.lowerBound) * wo
                if iy < 0 || iy >= g.h || ox0 >= ox1 { copyRow(d, nil, wo); continue }
                if ox0 > 0 { copyRow(d, nil, ox0) }
                if ox1 < wo { copyRow(d + ox1, nil, wo - ox1) }
                let s = src + iy * g.w - g.pad + j
                if g.stride == 1 {
                    copyRow(d + ox0, s + ox0, ox1 - ox0)
                } else {
                    for ox in ox0..<ox1 { d[ox] = s[ox * g.stride] }
                }
            }
        }
    }
}

/// The adjoint of `im2col`: x[c, iy, ix] += col[…] (x is overwritten, not accumulated into).
/// Parallel over channels (each channel's rows write only that channel) unless `parallel` is false.
func col2im(_ col: UnsafePointer<Float>, _ g: ConvGeometry, _ x: UnsafeMutablePointer<Float>, parallel: Bool = true) {
    let ho = g.ho, wo = g.wo, hw = ho * wo, kk = g.kh * g.kw
    parallelFor(g.c, minChunk: parallel ? max(1, 16_384 / max(1, hw * kk)) : g.c) { chans in
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

/// Σ over batch and space of g [N, C, HW] → [C]. Each plane is summed in 8 Float lanes (a scalar
/// Float sum cannot be vectorized by the compiler: it would reorder the additions).
func channelSums(_ g: Tensor, n: Int, c: Int, hw: Int) -> Tensor {
    let out = Tensor(zeros: [c])
    let pg = g.data, po = out.mutableData
    parallelFor(c, minChunk: max(1, 16_384 / max(1, n * hw))) { r in
        for ch in r {
            var s: Float = 0
            for b in 0..<n {
                let p = pg + (b * c + ch) * hw
                var acc = SIMD8<Float>(), i = 0
                while i + 8 <= hw { acc += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self); i += 8 }
                var t = acc.sum()
                while i < hw { t += p[i]; i += 1 }
                s += t
            }
            po[ch] = s
        }
    }
    return out
}

/// Column tiles for a thread that convolves a whole image: the column matrix of an image (up to
/// 28 MB in the U-Net) is built and consumed a tile of output rows at a time, so that BLAS packs
/// it from cache rather than memory (~10% of a U-Net step on two cores). Tiles hold about
/// `floats` values (1 MB) but at least `minColumns` output positions (BLAS repacks the weights
/// for every tile). Variables only so that tests can force many small tiles.
enum ConvTiling {
    nonisolated(unsafe) static var floats = 1 << 18
    nonisolated(unsafe) static var minColumns = 256

    /// Output rows per tile for geometry `g` (whole rows; at least one).
    static func rows(_ g: ConvGeometry) -> Int {
        let columns = max(minColumns, floats / max(1, g.k))
        return max(1, min(g.ho, columns / max(1, g.wo)))
    }
}

/// Runs `body(image, worker)` for every image of a batch of `n`, each image on one of `workers`
/// threads (taken in turn from a shared counter, so a core slowed by other load takes fewer);
/// `worker` ∈ 0..<workers names per-worker scratch, used by one image at a time.
func forEachImage(_ n: Int, workers: Int, _ body: (_ image: Int, _ worker: Int) -> Void) {
    let lock = NSLock()
    var next = 0
    parallelFor(workers, minChunk: 1) { ws in
        for w in ws {
            while true {
                lock.lock(); let b = next; next += 1; lock.unlock()
                if b >= n { break }
                body(b, w)
            }
        }
    }
}

/// 2-D convolution: `x` [N, Cin, H, W], `weight` [Cout, Cin, kh, kw], `bias` [Cout] →
/// [N, Cout, Ho, Wo] with Ho = ⌊(H + 2·padding − kh)/stride⌋ + 1 (likewise Wo). Zero padding.
///
/// Per image: one im2col (skipped for 1×1 stride-1 kernels) and one sgemm W[Cout, K]·col[K, HoWo].
/// Backward per image: dW += dY·colᵀ (the columns are recomputed rather than kept: memory stays
/// at one column matrix per thread whatever the batch), and dX as the convolution of dY with the
/// flipped, transposed kernel (stride 1, square kernels, padding ≤ k − 1: one im2col of dY and one
/// sgemm writing dX, instead of a [Cin·k², HW] product, zeroed by BLAS first, folded back by col2im
/// — three times the traffic when Cin is three times Cout, as in the U-Net's up path). Other
/// strides: dcol = Wᵀ·dY then col2im.
///
/// With at least as many images as threads, whole images go to the threads (serial im2col and
/// single-threaded sgemm per image, one column matrix and one partial dW per thread, summed at
/// the end): no synchronization inside an image, and each image's columns stay in its core's
/// cache. Smaller batches run image by image with parallel im2col and a split sgemm.
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
    BLASThreads.sync()
    let threads = Parallelism.threadCount
    let perImage = threads > 1 && n >= threads
    let workers = perImage ? threads : 1
    // One column matrix (a tile of one per thread) per worker; none for the 1×1 fast path.
    let tileRows = perImage ? ConvTiling.rows(g) : g.ho
    let cols = g.isIdentity ? [] : (0..<workers).map { _ in TensorStorage(uninitialized: k * tileRows * g.wo) }

    /// out[b] = W·col(x[b]) + bias, on one thread (tile by tile) or with parallel kernels.
    func forward(_ b: Int, _ col: UnsafeMutablePointer<Float>?, serial: Bool) {
        let ob = po + b * cout * hw
        if let bias {
            let pb = bias.data
            parallelFor(cout, minChunk: serial ? cout : max(1, 16_384 / max(1, hw))) { r in
                for ch in r { (ob + ch * hw).update(repeating: pb[ch], count: hw) }
            }
        }
        guard let col else {
            let cp = px + b * inSize
            if serial {
                sgemmSerial(false, false, m: cout, n: hw, k: k, pw, lda: k, cp, ldb: hw, beta: bias == nil ? 0 : 1, ob, ldc: hw)
            } else {
                sgemm(false, false, m: cout, n: hw, k: k, pw, cp, beta: bias == nil ? 0 : 1, ob)
            }
            return
        }
        for oy0 in Swift.stride(from: 0, to: g.ho, by: tileRows) {
            let rows = oy0..<min(g.ho, oy0 + tileRows), t = rows.count * g.wo
            im2col(px + b * inSize, g, col, parallel: !serial, outputRows: rows)
            if serial {
                sgemmSerial(false, false, m: cout, n: t, k: k, pw, lda: k, col, ldb: t, beta: bias == nil ? 0 : 1, ob + oy0 * g.wo, ldc: hw)
            } else {
                sgemm(false, false, m: cout, n: hw, k: k, pw, col, beta: bias == nil ? 0 : 1, ob)
            }
        }
    }
    if perImage {
        forEachImage(n, workers: workers) { b, w in forward(b, cols.isEmpty ? nil : cols[w].pointer, serial: true) }
    } else {
        for b in 0..<n { forward(b, cols.first?.pointer, serial: false) }
    }

    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return out.record("conv2d", inputs) { gy in
        let pg = gy.data
        let gx = x.requiresGrad ? Tensor(uninitializedShape: x.shape) : nil
        let gw = weight.requiresGrad ? Tensor(uninitializedShape: weight.shape) : nil
        BLASThreads.sync()
        // dX = conv(dY, W̃) with W̃[ci, co, i, j] = W[co, ci, kh−1−i, kw−1−j] and padding kh−1−p.
        let flipped = gx != nil && !g.isIdentity && stride == 1 && g.kh == g.kw && padding <= g.kh - 1
        let gt = ConvGeometry(c: cout, h: g.ho, w: g.wo, kh: g.kh, kw: g.kw, stride: 1, pad: g.kh - 1 - padding)
        let plane = g.h * g.w
        let wt: TensorStorage? = flipped ? TensorStorage(uninitialized: g.c * gt.k) : nil
        if let wt {
            let kk = g.kh * g.kw, q = wt.pointer
            for ci in 0..<g.c {
                for co in 0..<cout {
                    let src = pw + (co * g.c + ci) * kk, dst = q + ci * gt.k + co * kk
                    for t in 0..<kk { dst[t] = src[kk - 1 - t] }
                }
            }
        }
        // Tiles for the serial path (x's columns for dW; dY's columns for dX when flipped). The
        // col2im path (other strides) needs whole column matrices.
        let rowsW = perImage ? ConvTiling.rows(g) : g.ho
        let rowsX = perImage && flipped ? ConvTiling.rows(gt) : gt.ho
        let colCount = flipped ? max(k * rowsW * g.wo, gt.k * rowsX * gt.wo) : k * hw
        let colsB = g.isIdentity ? [] : (0..<workers).map { _ in TensorStorage(uninitialized: colCount) }
        // Per-worker partial dWᵀ [K, Cout] = Σ col·dYᵀ, transposed and summed into gw at the end:
        // BLAS packs the big column matrix untransposed this way round (~15% faster than dY·colᵀ).
        let partials = gw == nil ? [] : (0..<workers).map { _ in TensorStorage(uninitialized: k * cout) }
        // Whether each worker has written its partial yet (each entry written by its worker only).
        let started = UnsafeMutablePointer<Bool>.allocate(capacity: workers)
        started.initialize(repeating: false, count: workers)
        defer { started.deallocate() }

        /// dWᵀ(+)= col(x[b])·dY[b]ᵀ into `dwT`; dx[b] from dY[b].
        func backward(_ b: Int, _ col: UnsafeMutablePointer<Float>?, dwT: UnsafeMutablePointer<Float>?, first: Bool, serial: Bool) {
            let gb = pg + b * cout * hw
            if let dwT {
                if let col {
                    for oy0 in Swift.stride(from: 0, to: g.ho, by: rowsW) {
                        let rows = oy0..<min(g.ho, oy0 + rowsW), t = rows.count * g.wo
                        let beta: Float = first && oy0 == 0 ? 0 : 1
                        im2col(px + b * inSize, g, col, parallel: !serial, outputRows: rows)
                        if serial {
                            sgemmSerial(false, true, m: k, n: cout, k: t, col, lda: t, gb + oy0 * g.wo, ldb: hw, beta: beta, dwT, ldc: cout)
                        } else {
                            sgemm(false, true, m: k, n: cout, k: hw, col, gb, beta: beta, dwT)
                        }
                    }
                } else {
                    let cp = px + b * inSize
                    if serial {
                        sgemmSerial(false, true, m: k, n: cout, k: hw, cp, lda: hw, gb, ldb: hw, beta: first ? 0 : 1, dwT, ldc: cout)
                    } else {
                        sgemm(false, true, m: k, n: cout, k: hw, cp, gb, beta: first ? 0 : 1, dwT)
                    }
                }
            }
            if let gx, let col, let wt {
                // dX[b] = W̃[Cin, Cout·k²]·col(dY[b]), tile by tile of dX's rows.
                let dst = gx.mutableData + b * inSize
                for y0 in Swift.stride(from: 0, to: gt.ho, by: rowsX) {
                    let rows = y0..<min(gt.ho, y0 + rowsX), t = rows.count * gt.wo
                    im2col(gb, gt, col, parallel: !serial, outputRows: rows)
                    if serial {
                        sgemmSerial(false, false, m: g.c, n: t, k: gt.k, wt.pointer, lda: gt.k, col, ldb: t, dst + y0 * gt.wo, ldc: plane)
                    } else {
                        sgemm(false, false, m: g.c, n: plane, k: gt.k, wt.pointer, col, dst)
                    }
                }
            } else if let gx {
                let dst = gx.mutableData + b * inSize
                let target = col ?? dst
                if serial {
                    sgemmSerial(true, false, m: k, n: hw, k: cout, pw, lda: k, gb, ldb: hw, target, ldc: hw)
                } else {
                    sgemm(true, false, m: k, n: hw, k: cout, pw, gb, target)
                }
                if let col { col2im(col, g, dst, parallel: !serial) }
            }
        }
        if perImage {
            forEachImage(n, workers: workers) { b, w in
                backward(b, colsB.isEmpty ? nil : colsB[w].pointer, dwT: partials.isEmpty ? nil : partials[w].pointer,
                         first: !started[w], serial: true)
                started[w] = true
            }
        } else {
            for b in 0..<n { backward(b, colsB.first?.pointer, dwT: partials.first?.pointer, first: b == 0, serial: false) }
            started[0] = n > 0
        }
        if let gw {
            // gw[co, j] = Σ over the workers that took an image of dWᵀ[j, co].
            let p = gw.mutableData
            let used = (0..<workers).filter { started[$0] }.map { UnsafePointer(partials[$0].pointer) }
            withExtendedLifetime(partials) {
                parallelFor(cout, minChunk: max(1, 16_384 / max(1, k))) { r in
                    for co in r {
                        let row = p + co * k
                        for j in 0..<k {
                            var s: Float = 0
                            for q in used { s += q[j * cout + co] }
                            row[j] = s
                        }
                    }
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
    let col = g.isIdentity ? nil : TensorStorage(uninitialized: k * hw)
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
        let colB = g.isIdentity ? nil : TensorStorage(uninitialized: k * hw)
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
