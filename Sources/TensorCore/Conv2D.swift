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

/// Column tiles: each image's column matrix (up to 28 MB in the U-Net) is built and consumed a
/// tile of output rows at a time, so that BLAS packs it from cache rather than memory (~10% of a
/// U-Net step on two cores). Tiles hold about `floats` values (1 MB) but at least `minColumns`
/// output positions (BLAS repacks the weights for every tile).
enum ConvTiling {
    /// Cache budget of a column tile in floats, and its least number of columns. A task-local
    /// only so that a test can force small tiles for itself (`ConvTiling.$settings.withValue(…)`).
    struct Settings: Sendable {
        var floats = 1 << 18
        var minColumns = 256
    }
    @TaskLocal static var settings = Settings()
    static var floats: Int { settings.floats }
    static var minColumns: Int { settings.minColumns }

    /// Output rows per tile for geometry `g` and a batch of `n` on `threads` threads: cache-sized,
    /// and small enough that the batch makes at least one tile per thread (whole rows; ≥ 1).
    static func rows(_ g: ConvGeometry, n: Int, threads: Int) -> Int {
        let columns = max(minColumns, floats / max(1, g.k))
        let cached = max(1, min(g.ho, columns / max(1, g.wo)))
        let perImage = (threads + max(1, n) - 1) / max(1, n)          // tiles each image must give
        let spread = (g.ho + perImage - 1) / perImage
        return max(1, min(cached, spread))
    }
}

/// Runs `body(unit, worker)` for units 0..<count on `workers` threads, worker w taking the w-th
/// contiguous run of units in order (whole images when there are enough): a fixed split, so that
/// per-worker partial sums (the weight gradient) add up identically on every run for a thread
/// count. `worker` names per-worker scratch, used by one unit at a time.
func forEachUnit(_ count: Int, workers: Int, _ body: (_ unit: Int, _ worker: Int) -> Void) {
    parallelFor(workers, minChunk: 1) { ws in
        for w in ws { for u in (w * count / workers)..<((w + 1) * count / workers) { body(u, w) } }
    }
}

/// 2-D convolution: `x` [N, Cin, H, W], `weight` [Cout, Cin, kh, kw], `bias` [Cout] →
/// [N, Cout, Ho, Wo] with Ho = ⌊(H + 2·padding − kh)/stride⌋ + 1 (likewise Wo). Zero padding.
///
/// The work is split into units of (image, tile of output rows), dealt to the threads; each unit
/// runs serially (im2col of its tile — skipped for 1×1 stride-1 kernels — and one single-threaded
/// sgemm W[Cout, K]·col[K, tile]), with one column tile per thread. No synchronization inside a
/// unit, tiles stay in their core's cache, and small batches still fill every thread. 3×3 "same"
/// convolutions (stride 1, padding 1) with enough channels (`Winograd.applies`) go through
/// `winogradConv3x3` instead — the same units, 2.25× fewer multiplies.
///
/// Backward: dW by Winograd's adjoint where the forward used Winograd, else dWᵀ += col·dY[:, tile]ᵀ
/// per unit into per-thread partials, summed and transposed at
/// the end (the columns are recomputed rather than kept: memory stays at one tile per thread);
/// dX as the convolution of dY with the flipped, transposed kernel (stride 1, square kernels,
/// padding ≤ k − 1: one im2col of dY per tile of dX and one sgemm writing it, instead of a
/// [Cin·k², HW] product, zeroed by BLAS first, folded back by col2im — three times the traffic
/// when Cin is three times Cout, as in the U-Net's up path), or by Winograd where the forward
/// used it (dX is then a 3×3 "same" convolution of dY too). Other strides: per image,
/// dcol = Wᵀ·dY then col2im.
public func conv2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
    precondition(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1],
                 "conv2d: input \(x.shape) with weight \(weight.shape)")
    precondition(stride >= 1 && padding >= 0, "conv2d: stride \(stride), padding \(padding)")
    let n = x.shape[0], cout = weight.shape[0]
    let g = ConvGeometry(c: x.shape[1], h: x.shape[2], w: x.shape[3], kh: weight.shape[2], kw: weight.shape[3], stride: stride, pad: padding)
    precondition(g.ho >= 1 && g.wo >= 1, "conv2d: kernel \(g.kh)×\(g.kw) larger than padded input \(x.shape)")
    if let bias { precondition(bias.shape == [cout], "conv2d: bias \(bias.shape) for \(cout) channels") }
    let out = Tensor(uninitializedShape: [n, cout, g.ho, g.wo])
    // The backward splits its work over the forward's thread count.
    let threads = Parallelism.threadCount
    BLASThreads.sync()
    // Winograd's transformed kernel serves the forward and, transposed, dX (the weight does not
    // change in between: no in-place ops under autograd).
    let u = Winograd.applies(g, cout: cout) ? winogradKernel(weight.data, cout: cout, cin: g.c) : nil
    conv2dForward(x.data, weight.data, bias?.data, out.mutableData, g, n: n, cout: cout, threads: threads, winograd: u)

    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return out.record("conv2d", inputs) { gy in
        BLASThreads.sync()
        var grads: [Tensor?] = [nil, nil]
        if x.requiresGrad {
            let gx = Tensor(uninitializedShape: x.shape)
            conv2dBackwardInput(weight.data, gy.data, gx.mutableData, g, n: n, cout: cout, threads: threads, winograd: u)
            grads[0] = gx
        }
        if weight.requiresGrad {
            let gw = Tensor(uninitializedShape: weight.shape)
            conv2dBackwardWeight(x.data, gy.data, gw.mutableData, g, n: n, cout: cout, threads: threads)
            grads[1] = gw
        }
        if let bias { grads.append(bias.requiresGrad ? channelSums(gy, n: n, c: cout, hw: g.ho * g.wo) : nil) }
        return grads
    }
}

// MARK: - conv2d forward and backward, one function per path
//
// Shapes, all contiguous row-major: x [N, Cin, H, W], weight [Cout, Cin, kh, kw], bias [Cout],
// y and dY [N, Cout, Ho, Wo]; dX like x, dW like weight. `threads` is the thread count the work
// is split for (the forward's, so that the backward splits the same way).

/// Output rows per column tile and the number of tiles for a batch of `n` on `threads` threads.
private func convTiles(_ g: ConvGeometry, n: Int, threads: Int) -> (rows: Int, tiles: Int) {
    let rows = ConvTiling.rows(g, n: n, threads: threads)
    return (rows, (g.ho + rows - 1) / rows)
}

/// y = conv(x, W) + b: by Winograd F(2×2, 3×3) where it applies, else in units of (image, tile of
/// output rows), each one im2col (skipped for 1×1 stride-1 kernels) and one serial sgemm
/// W[Cout, K]·col[K, tile].
func conv2dForward(_ px: UnsafePointer<Float>, _ pw: UnsafePointer<Float>, _ pb: UnsafePointer<Float>?,
                   _ po: UnsafeMutablePointer<Float>, _ g: ConvGeometry, n: Int, cout: Int, threads: Int,
                   winograd: TensorStorage? = nil) {
    if Winograd.applies(g, cout: cout) {
        let u = winograd ?? winogradKernel(pw, cout: cout, cin: g.c)
        withExtendedLifetime(u) { winogradConv3x3(px, n: n, cin: g.c, h: g.h, w: g.w, u.pointer, cout: cout, bias: pb, po) }
        return
    }
    let hw = g.ho * g.wo, inSize = g.c * g.h * g.w, k = g.k
    let (rowsF, tilesF) = convTiles(g, n: n, threads: threads)
    let workersF = max(1, min(threads, n * tilesF))
    // One column tile per worker; none for the 1×1 fast path.
    let cols = g.isIdentity ? [] : (0..<workersF).map { _ in TensorStorage(uninitialized: k * rowsF * g.wo) }
    withExtendedLifetime(cols) {
        forEachUnit(n * tilesF, workers: workersF) { u, w in
            // out[b][:, rows] (+)= W·col(x[b])[:, rows].
            let b = u / tilesF, oy0 = (u % tilesF) * rowsF
            let t = (min(g.ho, oy0 + rowsF) - oy0) * g.wo
            let ob = po + b * cout * hw + oy0 * g.wo, beta: Float = pb == nil ? 0 : 1
            if let pb {
                // The tile's outputs start at the bias (in cache when the product accumulates).
                for ch in 0..<cout {
                    let row = ob + ch * hw, v = SIMD8<Float>(repeating: pb[ch])
                    var i = 0
                    while i + 8 <= t { UnsafeMutableRawPointer(row + i).storeBytes(of: v, as: SIMD8<Float>.self); i += 8 }
                    while i < t { row[i] = pb[ch]; i += 1 }
                }
            }
            if cols.isEmpty {
                sgemmSerial(false, false, m: cout, n: t, k: k, pw, lda: k, px + b * inSize + oy0 * g.wo, ldb: hw, beta: beta, ob, ldc: hw)
            } else {
                let col = cols[w].pointer
                im2col(px + b * inSize, g, col, parallel: false, outputRows: oy0..<(oy0 + t / g.wo))
                sgemmSerial(false, false, m: cout, n: t, k: k, pw, lda: k, col, ldb: t, beta: beta, ob, ldc: hw)
            }
        }
    }
}

/// dW: by the adjoint of Winograd's forward where it applies (`winogradWeightGradient`), else
/// dW = Σ_b dY[b]·col(x[b])ᵀ: units of (image, tile of dY's rows), each adding col·dY[:, tile]ᵀ into
/// its worker's partial dWᵀ [K, Cout] (BLAS packs the big column matrix untransposed this way
/// round, ~15% faster than dY·colᵀ); the partials are summed and transposed at the end, in worker
/// order, so the result is the same on every run for a thread count.
func conv2dBackwardWeight(_ px: UnsafePointer<Float>, _ pg: UnsafePointer<Float>, _ pgw: UnsafeMutablePointer<Float>,
                          _ g: ConvGeometry, n: Int, cout: Int, threads: Int) {
    if Winograd.applies(g, cout: cout) {
        winogradWeightGradient(px, pg, n: n, cin: g.c, h: g.h, w: g.w, cout: cout, pgw)
        return
    }
    let hw = g.ho * g.wo, inSize = g.c * g.h * g.w, k = g.k
    let (rowsW, tilesW) = convTiles(g, n: n, threads: threads)
    let workers = max(1, min(threads, n * tilesW))
    let cols = g.isIdentity ? [] : (0..<workers).map { _ in TensorStorage(uninitialized: k * rowsW * g.wo) }
    let partials = (0..<workers).map { _ in TensorStorage(uninitialized: k * cout) }
    // Whether each worker has written its partial yet (each entry written by its worker only).
    let started = UnsafeMutablePointer<Bool>.allocate(capacity: workers)
    started.initialize(repeating: false, count: workers)
    defer { started.deallocate() }
    withExtendedLifetime((cols, partials)) {
        forEachUnit(n * tilesW, workers: workers) { u, w in
            // dWᵀ (+)= col(x[b])[:, rows]·dY[b][:, rows]ᵀ.
            let b = u / tilesW, oy0 = (u % tilesW) * rowsW
            let t = (min(g.ho, oy0 + rowsW) - oy0) * g.wo
            let gb = pg + b * cout * hw + oy0 * g.wo, beta: Float = started[w] ? 1 : 0
            if cols.isEmpty {
                sgemmSerial(false, true, m: k, n: cout, k: t, px + b * inSize + oy0 * g.wo, lda: hw, gb, ldb: hw,
                            beta: beta, partials[w].pointer, ldc: cout)
            } else {
                let col = cols[w].pointer
                im2col(px + b * inSize, g, col, parallel: false, outputRows: oy0..<(oy0 + t / g.wo))
                sgemmSerial(false, true, m: k, n: cout, k: t, col, lda: t, gb, ldb: hw, beta: beta, partials[w].pointer, ldc: cout)
            }
            started[w] = true
        }
        // gw[co, j] = Σ over the workers that took a unit of dWᵀ[j, co].
        let used = (0..<workers).filter { started[$0] }.map { UnsafePointer(partials[$0].pointer) }
        parallelFor(cout, minChunk: max(1, 16_384 / max(1, k))) { r in
            for co in r {
                let row = pgw + co * k
                for j in 0..<k {
                    var s: Float = 0
                    for q in used { s += q[j * cout + co] }
                    row[j] = s
                }
            }
        }
    }
}

/// dX, by the cheapest path for the geometry: Winograd (where the forward used it: dX is then a 3×3
/// "same" convolution of dY too), the 1×1 product, the flipped-kernel convolution (stride 1, square
/// kernels, padding ≤ k − 1), or dcol = Wᵀ·dY + col2im for other strides.
func conv2dBackwardInput(_ pw: UnsafePointer<Float>, _ pg: UnsafePointer<Float>, _ pgx: UnsafeMutablePointer<Float>,
                         _ g: ConvGeometry, n: Int, cout: Int, threads: Int, winograd: TensorStorage? = nil) {
    if Winograd.applies(g, cout: cout) {
        conv2dBackwardInputWinograd(pw, pg, pgx, g, n: n, cout: cout, winograd: winograd)
    } else if g.isIdentity {
        conv2dBackwardInput1x1(pw, pg, pgx, g, n: n, cout: cout, threads: threads)
    } else if g.stride == 1 && g.kh == g.kw && g.pad <= g.kh - 1 {
        conv2dBackwardInputFlipped(pw, pg, pgx, g, n: n, cout: cout, threads: threads)
    } else {
        conv2dBackwardInputCol2im(pw, pg, pgx, g, n: n, cout: cout, threads: threads)
    }
}

/// dX = conv(dY, W̃) by Winograd: Cout inputs, Cin outputs, 3×3, padding 1; W̃'s transform is a
/// permutation of W's transposed matrices, read as such by the sgemms (`flippedTranspose`).
func conv2dBackwardInputWinograd(_ pw: UnsafePointer<Float>, _ pg: UnsafePointer<Float>, _ pgx: UnsafeMutablePointer<Float>,
                                 _ g: ConvGeometry, n: Int, cout: Int, winograd: TensorStorage? = nil) {
    let u = winograd ?? winogradKernel(pw, cout: cout, cin: g.c)
    withExtendedLifetime(u) {
        winogradConv3x3(pg, n: n, cin: cout, h: g.h, w: g.w, u.pointer, cout: g.c, bias: nil, pgx, flippedTranspose: true)
    }
}

/// 1×1 stride-1 kernels: dX[b][:, rows] = Wᵀ·dY[b][:, rows], in the forward's units.
func conv2dBackwardInput1x1(_ pw: UnsafePointer<Float>, _ pg: UnsafePointer<Float>, _ pgx: UnsafeMutablePointer<Float>,
                            _ g: ConvGeometry, n: Int, cout: Int, threads: Int) {
    let hw = g.ho * g.wo, inSize = g.c * g.h * g.w, k = g.k
    let (rowsW, tilesW) = convTiles(g, n: n, threads: threads)
    forEachUnit(n * tilesW, workers: max(1, min(threads, n * tilesW))) { u, _ in
        let b = u / tilesW, oy0 = (u % tilesW) * rowsW
        let t = (min(g.ho, oy0 + rowsW) - oy0) * g.wo
        sgemmSerial(true, false, m: k, n: t, k: cout, pw, lda: k, pg + b * cout * hw + oy0 * g.wo, ldb: hw,
                    pgx + b * inSize + oy0 * g.wo, ldc: hw)
    }
}

/// Stride 1, square kernels, padding p ≤ k − 1: dX = conv(dY, W̃) with W̃[ci, co, i, j] =
/// W[co, ci, kh−1−i, kw−1−j] and padding kh−1−p — per unit (image, tile of dX's rows) one im2col
/// of dY and one sgemm writing dX, instead of a [Cin·k², HW] product folded back by col2im (three
/// times the traffic when Cin is three times Cout, as in the U-Net's up path).
func conv2dBackwardInputFlipped(_ pw: UnsafePointer<Float>, _ pg: UnsafePointer<Float>, _ pgx: UnsafeMutablePointer<Float>,
                                _ g: ConvGeometry, n: Int, cout: Int, threads: Int) {
    let gt = ConvGeometry(c: cout, h: g.ho, w: g.wo, kh: g.kh, kw: g.kw, stride: 1, pad: g.kh - 1 - g.pad)
    let hw = g.ho * g.wo, inSize = g.c * g.h * g.w, plane = g.h * g.w
    let wt = TensorStorage(uninitialized: g.c * gt.k)
    let kk = g.kh * g.kw, q = wt.pointer
    for ci in 0..<g.c {
        for co in 0..<cout {
            let src = pw + (co * g.c + ci) * kk, dst = q + ci * gt.k + co * kk
            for t in 0..<kk { dst[t] = src[kk - 1 - t] }
        }
    }
    let (rowsX, tilesX) = convTiles(gt, n: n, threads: threads)
    let workers = max(1, min(threads, n * tilesX))
    let cols = (0..<workers).map { _ in TensorStorage(uninitialized: gt.k * rowsX * gt.wo) }
    withExtendedLifetime((cols, wt)) {
        forEachUnit(n * tilesX, workers: workers) { u, w in
            // dX[b][:, rows] = W̃[Cin, Cout·k²]·col(dY[b])[:, rows].
            let b = u / tilesX, y0 = (u % tilesX) * rowsX
            let t = (min(gt.ho, y0 + rowsX) - y0) * gt.wo
            let col = cols[w].pointer
            im2col(pg + b * cout * hw, gt, col, parallel: false, outputRows: y0..<(y0 + t / gt.wo))
            sgemmSerial(false, false, m: g.c, n: t, k: gt.k, wt.pointer, lda: gt.k, col, ldb: t,
                        pgx + b * inSize + y0 * gt.wo, ldc: plane)
        }
    }
}

/// Other strides, per image: dcol = Wᵀ·dY[b] [K, HoWo], then col2im folds it into dX[b].
func conv2dBackwardInputCol2im(_ pw: UnsafePointer<Float>, _ pg: UnsafePointer<Float>, _ pgx: UnsafeMutablePointer<Float>,
                               _ g: ConvGeometry, n: Int, cout: Int, threads: Int) {
    let hw = g.ho * g.wo, inSize = g.c * g.h * g.w, k = g.k
    let workers = max(1, min(threads, n))
    let cols = (0..<workers).map { _ in TensorStorage(uninitialized: k * hw) }
    withExtendedLifetime(cols) {
        forEachUnit(n, workers: workers) { b, w in
            let col = cols[w].pointer
            sgemmSerial(true, false, m: k, n: hw, k: cout, pw, lda: k, pg + b * cout * hw, ldb: hw, col, ldc: hw)
            col2im(col, g, pgx + b * inSize, parallel: false)
        }
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
