import Foundation
import Support

// 3×3 "same" convolutions by Winograd's minimal filtering algorithm F(2×2, 3×3) (Lavin & Gray,
// "Fast Algorithms for Convolutional Neural Networks", CVPR 2016): each 2×2 block of outputs is
// computed from a 4×4 input tile with 16 multiplies per (input, output) channel pair instead of 36,
// so the sgemms — most of a convolution's time — do 2.25× fewer flops. With
//   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
//   Aᵀ = [1 1 1 0; 0 1 −1 −1],
// Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A: the kernel transform U = G g Gᵀ, the input transform
// V = Bᵀ d B, 16 matrix products (one per element of the 4×4 transformed tile, over channels), and
// the output transform. Float32 rounding is somewhat larger than the direct sum's (the transforms
// add and subtract inputs around the products); the tests hold it to 1e-4 of the output scale.

/// When conv2d uses `winogradConv3x3`: 3×3 kernels, stride 1, padding 1, at least `minChannels`
/// input and output channels (thin products gain little from fewer flops and pay the transforms).
/// On the U-Net bench (48–128 channels, all of them qualify) a step went from ~735 to ~550 ms on two
/// threads; leaving out its 48-channel convolutions cost ~10 ms of that. A task-local `settings`
/// only so that a test can force the path on small shapes and tile counts for itself
/// (`Winograd.$settings.withValue(…)`), without changing what tests running beside it see.
enum Winograd {
    struct Settings: Sendable {
        var minChannels = 16
        /// Tiles (2×2 output blocks) per unit, at least one row of tiles: the unit's transformed
        /// inputs and products (16·(Cin + Cout)·tiles floats) stay near the core's cache. 64–256
        /// measured alike on the U-Net; 512 was ~5% slower.
        var tiles = 128
    }
    @TaskLocal static var settings = Settings()
    static var minChannels: Int { settings.minChannels }
    static var tiles: Int { settings.tiles }

    static func applies(_ g: ConvGeometry, cout: Int) -> Bool {
        g.kh == 3 && g.kw == 3 && g.stride == 1 && g.pad == 1 && min(g.c, cout) >= minChannels
    }
}

/// The kernel transform: 16 matrices U_k [rows, cols] (k = 4a + b for element (a, b) of the 4×4
/// G g Gᵀ), with, for `transposedFlipped` false, rows = Cout, cols = Cin and g = weight[r, s]
/// ([Cout, Cin, 3, 3]); for true, rows = Cin, cols = Cout and g = weight[s, r] rotated by 180°
/// (the kernel whose convolution of dY is dX).
func winogradKernel(_ weight: UnsafePointer<Float>, cout: Int, cin: Int, transposedFlipped: Bool) -> TensorStorage {
    let rows = transposedFlipped ? cin : cout, cols = transposedFlipped ? cout : cin, plane = rows * cols
    let u = TensorStorage(uninitialized: 16 * plane)
    let pu = u.pointer
    parallelFor(rows, minChunk: max(1, 2_048 / max(1, cols))) { rs in
        for r in rs {
            for s in 0..<cols {
                let src = transposedFlipped ? weight + (s * cin + r) * 9 : weight + (r * cin + s) * 9
                // Rows of g (lanes 0..<3); flipped: g[i][j] = src[8 − 3i − j].
                func gRow(_ i: Int) -> SIMD4<Float> {
                    transposedFlipped ? SIMD4(src[8 - 3 * i], src[7 - 3 * i], src[6 - 3 * i], 0)
                                      : SIMD4(src[3 * i], src[3 * i + 1], src[3 * i + 2], 0)
                }
                let g0 = gRow(0), g1 = gRow(1), g2 = gRow(2)
                // t = G g (4 rows of 3), then U = t Gᵀ row by row.
                let ts = (g0, (g0 + g1 + g2) * 0.5, (g0 - g1 + g2) * 0.5, g2)
                func store(_ a: Int, _ v: SIMD4<Float>) {
                    let d = pu + 4 * a * plane + r * cols + s
                    d[0] = v[0]; d[plane] = (v[0] + v[1] + v[2]) * 0.5; d[2 * plane] = (v[0] - v[1] + v[2]) * 0.5; d[3 * plane] = v[2]
                }
                store(0, ts.0); store(1, ts.1); store(2, ts.2); store(3, ts.3)
            }
        }
    }
    return u
}

/// out[b, o] = bias[o] + Σ_c x[b, c] ⋆ g[o, c] for a 3×3 kernel, stride 1, zero padding 1:
/// `x` [N, Cin, H, W], `u` from `winogradKernel` (16 × [Cout, Cin]), `bias` [Cout] or nil →
/// `out` [N, Cout, H, W] (overwritten). Odd H or W: the last tiles read zeros past the border
/// and their outputs past it are dropped.
///
/// Units of (image, run of tile rows) are dealt to the threads like conv2d's (`forEachUnit`);
/// each unit runs serially: input transform into V (16 × [Cin, T], T tiles), 16 single-threaded
/// sgemms M_k = U_k·V_k [Cout, T], output transform. Scratch is one V and one M per thread.
func winogradConv3x3(_ x: UnsafePointer<Float>, n: Int, cin: Int, h: Int, w: Int, _ u: UnsafePointer<Float>, cout: Int,
                     bias: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Float>) {
    let th = (h + 1) / 2, tw = (w + 1) / 2, hw = h * w
    let threads = Parallelism.threadCount
    let cached = max(1, min(th, Winograd.tiles / tw))
    let perImage = (threads + max(1, n) - 1) / max(1, n)             // units each image must give
    let rowsT = max(1, min(cached, (th + perImage - 1) / perImage))
    let unitsPer = (th + rowsT - 1) / rowsT, maxT = rowsT * tw
    let workers = max(1, min(threads, n * unitsPer))
    // Padded input rows: column j holds input column j − 1, zeros outside [1, W]; 2·tw + 2 ≥ W + 2.
    let bw = 2 * tw + 2
    let vs = (0..<workers).map { _ in TensorStorage(uninitialized: 16 * cin * maxT) }
    let ms = (0..<workers).map { _ in TensorStorage(uninitialized: 16 * cout * maxT) }
    let bufs = (0..<workers).map { _ in TensorStorage(uninitialized: 4 * bw) }
    withExtendedLifetime((vs, ms, bufs)) {
        forEachUnit(n * unitsPer, workers: workers) { unit, wk in
            let b = unit / unitsPer, ty0 = (unit % unitsPer) * rowsT, ty1 = min(th, ty0 + rowsT)
            let t = (ty1 - ty0) * tw
            let v = vs[wk].pointer, m = ms[wk].pointer, buf = bufs[wk].pointer
            let vk = cin * t                                        // floats between V_k and V_{k+1}
            // V = Bᵀ d B for every tile and channel.
            for c in 0..<cin {
                let src = x + (b * cin + c) * hw
                for ty in ty0..<ty1 {
                    for i in 0..<4 {
                        let iy = 2 * ty - 1 + i, row = buf + i * bw
                        if iy < 0 || iy >= h {
                            row.update(repeating: 0, count: bw)
                        } else {
                            row[0] = 0
                            (row + 1).update(from: src + iy * w, count: w)
                            for j in (w + 1)..<bw { row[j] = 0 }
                        }
                    }
                    // Bᵀ d: the four rows combined, over the whole width.
                    let r0 = buf, r1 = buf + bw, r2 = buf + 2 * bw, r3 = buf + 3 * bw
                    for j in 0..<bw {
                        let d0 = r0[j], d1 = r1[j], d2 = r2[j], d3 = r3[j]
                        r0[j] = d0 - d2; r1[j] = d1 + d2; r2[j] = d2 - d1; r3[j] = d1 - d3
                    }
                    // (Bᵀ d) B per tile: columns 2tx..2tx+3 of each row.
                    let base = c * t + (ty - ty0) * tw
                    for i in 0..<4 {
                        let ri = buf + i * bw
                        let o0 = v + 4 * i * vk + base, o1 = o0 + vk, o2 = o1 + vk, o3 = o2 + vk
                        // 8 tiles at a time: columns 2tx (+1) are the even (odd) lanes of 16 floats.
                        var tx = 0
                        while tx + 8 <= tw {
                            let lo = UnsafeRawPointer(ri + 2 * tx).loadUnaligned(as: SIMD16<Float>.self)
                            let hi = UnsafeRawPointer(ri + 2 * tx + 2).loadUnaligned(as: SIMD16<Float>.self)
                            let a = lo.evenHalf, e = lo.oddHalf, f = hi.evenHalf, q = hi.oddHalf
                            UnsafeMutableRawPointer(o0 + tx).storeBytes(of: a - f, as: SIMD8<Float>.self)
                            UnsafeMutableRawPointer(o1 + tx).storeBytes(of: e + f, as: SIMD8<Float>.self)
                            UnsafeMutableRawPointer(o2 + tx).storeBytes(of: f - e, as: SIMD8<Float>.self)
                            UnsafeMutableRawPointer(o3 + tx).storeBytes(of: e - q, as: SIMD8<Float>.self)
                            tx += 8
                        }
                        while tx < tw {
                            let p = ri + 2 * tx
                            let a = p[0], e = p[1], f = p[2], q = p[3]
                            o0[tx] = a - f; o1[tx] = e + f; o2[tx] = f - e; o3[tx] = e - q
                            tx += 1
                        }
                    }
                }
            }
            // M_k = U_k·V_k.
            for k in 0..<16 {
                sgemmSerial(false, false, m: cout, n: t, k: cin, u + k * cout * cin, lda: cin, v + k * vk, ldb: t,
                            m + k * cout * t, ldc: t)
            }
            // Y = Aᵀ M A per tile, cropped at the bottom and right borders.
            let mk = cout * t
            for o in 0..<cout {
                let dst = out + (b * cout + o) * hw, bv = bias?[o] ?? 0
                for ty in ty0..<ty1 {
                    let y = 2 * ty, base = o * t + (ty - ty0) * tw
                    let row0 = dst + y * w, row1 = y + 1 < h ? dst + (y + 1) * w : nil
                    let mp = m + base
                    let fullX = w / 2                               // tiles whose 2 columns both exist
                    // 8 tiles at a time (whole tiles only): M_k[tx..<tx+8] are contiguous, the two
                    // output columns of each tile interleave into 16 floats of a row.
                    @inline(__always) func ld(_ k: Int, _ tx: Int) -> SIMD8<Float> {
                        UnsafeRawPointer(mp + k * mk + tx).loadUnaligned(as: SIMD8<Float>.self)
                    }
                    var tx0 = 0
                    while tx0 + 8 <= fullX {
                        // Columns of s = Aᵀ M: s0_j = m0j + m1j + m2j, s1_j = m1j − m2j − m3j.
                        let a0 = ld(0, tx0), a1 = ld(1, tx0), a2 = ld(2, tx0), a3 = ld(3, tx0)
                        let b0 = ld(4, tx0), b1 = ld(5, tx0), b2 = ld(6, tx0), b3 = ld(7, tx0)
                        let c0 = ld(8, tx0), c1 = ld(9, tx0), c2 = ld(10, tx0), c3 = ld(11, tx0)
                        let d0 = ld(12, tx0), d1 = ld(13, tx0), d2 = ld(14, tx0), d3 = ld(15, tx0)
                        let p0 = a0 + b0 + c0, p1 = a1 + b1 + c1, p2 = a2 + b2 + c2, p3 = a3 + b3 + c3
                        let q0 = b0 - c0 - d0, q1 = b1 - c1 - d1, q2 = b2 - c2 - d2, q3 = b3 - c3 - d3
                        let bias8 = SIMD8<Float>(repeating: bv)
                        var r = SIMD16<Float>()
                        r.evenHalf = p0 + p1 + p2 + bias8; r.oddHalf = p1 - p2 - p3 + bias8
                        UnsafeMutableRawPointer(row0 + 2 * tx0).storeBytes(of: r, as: SIMD16<Float>.self)
                        if let row1 {
                            r.evenHalf = q0 + q1 + q2 + bias8; r.oddHalf = q1 - q2 - q3 + bias8
                            UnsafeMutableRawPointer(row1 + 2 * tx0).storeBytes(of: r, as: SIMD16<Float>.self)
                        }
                        tx0 += 8
                    }
                    for tx in tx0..<tw {
                        // s = Aᵀ M (2 rows of 4), then s A.
                        let q = mp + tx
                        let m0 = SIMD4<Float>(q[0], q[mk], q[2 * mk], q[3 * mk])
                        let m1 = SIMD4<Float>(q[4 * mk], q[5 * mk], q[6 * mk], q[7 * mk])
                        let m2 = SIMD4<Float>(q[8 * mk], q[9 * mk], q[10 * mk], q[11 * mk])
                        let m3 = SIMD4<Float>(q[12 * mk], q[13 * mk], q[14 * mk], q[15 * mk])
                        let s0 = m0 + m1 + m2, s1 = m1 - m2 - m3
                        row0[2 * tx] = s0[0] + s0[1] + s0[2] + bv
                        if tx < fullX { row0[2 * tx + 1] = s0[1] - s0[2] - s0[3] + bv }
                        if let row1 {
                            row1[2 * tx] = s1[0] + s1[1] + s1[2] + bv
                            if tx < fullX { row1[2 * tx + 1] = s1[1] - s1[2] - s1[3] + bv }
                        }
                    }
                }
            }
        }
    }
}
