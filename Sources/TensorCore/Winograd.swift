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

    /// The transformed kernel of the 180°-rotated g is a permutation of g's: G·J = Q·G (J reverses
    /// columns, Q swaps rows 0 and 3), so U(rot g) = Q·U(g)·Q, i.e. element (a, b) of U(rot g) is
    /// element (σa, σb) of U(g), σ = (3 1 2 0). `flipped[4a + b] = 4σa + σb`.
    static let flipped = [15, 13, 14, 12, 7, 5, 6, 4, 11, 9, 10, 8, 3, 1, 2, 0]

    static func applies(_ g: ConvGeometry, cout: Int) -> Bool {
        g.kh == 3 && g.kw == 3 && g.stride == 1 && g.pad == 1 && min(g.c, cout) >= minChannels
    }
}

/// The kernel transform: 16 matrices U_k [Cout, Cin] (k = 4a + b for element (a, b) of the 4×4
/// G g Gᵀ), g = weight[o, c] ([Cout, Cin, 3, 3]). The kernel whose convolution of dY is dX — g
/// transposed over channels and rotated by 180° — needs no transform of its own: its U_k is
/// U_{flipped[k]}ᵀ (`Winograd.flipped`; `winogradConv3x3(…, flippedTranspose: true)`).
func winogradKernel(_ weight: UnsafePointer<Float>, cout: Int, cin: Int) -> TensorStorage {
    let rows = cout, cols = cin, plane = rows * cols
    let u = TensorStorage(uninitialized: 16 * plane)
    let pu = u.pointer
    parallelFor(rows, minChunk: max(1, 2_048 / max(1, cols))) { rs in
        for r in rs {
            for s in 0..<cols {
                let src = weight + (r * cin + s) * 9
                func gRow(_ i: Int) -> SIMD4<Float> { SIMD4(src[3 * i], src[3 * i + 1], src[3 * i + 2], 0) }
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

/// How a batch's tiles are dealt to threads: units of (`group` images, run of `rowsT` tile rows),
/// at most `budget` tiles each (at least one row), and enough of them for every thread where the
/// batch allows (an image gives several units when there are fewer images than threads). With
/// `grouping`, images small enough go whole, several to a unit (their tiles side by side).
struct WinogradUnits {
    let th: Int, tw: Int, group: Int, rowsT: Int, unitsPer: Int, count: Int, workers: Int
    /// The most tiles a unit holds.
    var maxTiles: Int { group * rowsT * tw }

    init(n: Int, h: Int, w: Int, budget: Int, grouping: Bool) {
        th = (h + 1) / 2; tw = (w + 1) / 2
        let threads = Parallelism.threadCount
        if grouping && th * tw <= budget {
            group = max(1, min(budget / (th * tw), (n + threads - 1) / threads))
            rowsT = th
        } else {
            group = 1
            let cached = max(1, min(th, budget / tw))
            let perImage = (threads + max(1, n) - 1) / max(1, n)     // units each image must give
            rowsT = max(1, min(cached, (th + perImage - 1) / perImage))
        }
        unitsPer = (th + rowsT - 1) / rowsT
        count = (n + group - 1) / group * unitsPer
        workers = max(1, min(threads, count))
    }

    /// Unit u: its first image b0, its image count, and tile rows ty0 ..< ty1 of each.
    func unit(_ u: Int, n: Int) -> (b0: Int, images: Int, ty0: Int, ty1: Int) {
        let ty0 = (u % unitsPer) * rowsT, b0 = (u / unitsPer) * group
        return (b0, min(n, b0 + group) - b0, ty0, min(th, ty0 + rowsT))
    }
}

/// The input transform V = Bᵀ d B of tile rows ty0 ..< ty1 of one image `x` [C, H, W] into
/// columns of 16 matrices [C, ld] (V_k at v + k·C·ld; tile (ty, tx) in column (ty − ty0)·tw + tx,
/// so `ld` ≥ (ty1 − ty0)·tw and v may point past a unit's first columns). `buf`: scratch of
/// 4·(2·tw + 2) floats. Tiles past the border read zeros.
func winogradInputTransform(_ x: UnsafePointer<Float>, c cin: Int, h: Int, w: Int, tw: Int, ty0: Int, ty1: Int,
                            _ v: UnsafeMutablePointer<Float>, ld t: Int, buf: UnsafeMutablePointer<Float>) {
    let hw = h * w
    // Padded input rows: column j holds input column j − 1, zeros outside [1, W]; 2·tw + 2 ≥ W + 2.
    let bw = 2 * tw + 2
    let vk = cin * t                                                // floats between V_k and V_{k+1}
    for c in 0..<cin {
        let src = x + c * hw
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
                // 8 (then 4, 2) tiles at a time: columns 2tx (+1) are the even (odd) lanes of 16 floats.
                // Tile columns (a, e, f, q) = d[2tx ..< 2tx + 4]; (d B) = (a − f, e + f, f − e, e − q).
                @inline(__always) func store<V: SIMD>(_ tx: Int, _ a: V, _ e: V, _ f: V, _ q: V) where V.Scalar == Float {
                    UnsafeMutableRawPointer(o0 + tx).storeBytes(of: a - f, as: V.self)
                    UnsafeMutableRawPointer(o1 + tx).storeBytes(of: e + f, as: V.self)
                    UnsafeMutableRawPointer(o2 + tx).storeBytes(of: f - e, as: V.self)
                    UnsafeMutableRawPointer(o3 + tx).storeBytes(of: e - q, as: V.self)
                }
                var tx = 0
                while tx + 8 <= tw {
                    let lo = UnsafeRawPointer(ri + 2 * tx).loadUnaligned(as: SIMD16<Float>.self)
                    let hi = UnsafeRawPointer(ri + 2 * tx + 2).loadUnaligned(as: SIMD16<Float>.self)
                    store(tx, lo.evenHalf, lo.oddHalf, hi.evenHalf, hi.oddHalf)
                    tx += 8
                }
                if tx + 4 <= tw {
                    let lo = UnsafeRawPointer(ri + 2 * tx).loadUnaligned(as: SIMD8<Float>.self)
                    let hi = UnsafeRawPointer(ri + 2 * tx + 2).loadUnaligned(as: SIMD8<Float>.self)
                    store(tx, lo.evenHalf, lo.oddHalf, hi.evenHalf, hi.oddHalf)
                    tx += 4
                }
                if tx + 2 <= tw {
                    let lo = UnsafeRawPointer(ri + 2 * tx).loadUnaligned(as: SIMD4<Float>.self)
                    let hi = UnsafeRawPointer(ri + 2 * tx + 2).loadUnaligned(as: SIMD4<Float>.self)
                    store(tx, lo.evenHalf, lo.oddHalf, hi.evenHalf, hi.oddHalf)
                    tx += 2
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
}

/// out[b, o] = bias[o] + Σ_c x[b, c] ⋆ g[o, c] for a 3×3 kernel, stride 1, zero padding 1:
/// `x` [N, Cin, H, W], `u` from `winogradKernel` (16 × [Cout, Cin]), `bias` [Cout] or nil →
/// `out` [N, Cout, H, W] (overwritten). `flippedTranspose`: `u` is the transform of a kernel
/// [Cin, Cout, 3, 3] (16 × [Cin, Cout]) and the convolution uses that kernel transposed over
/// channels and rotated by 180° — dX = conv(dY, W̃) of that kernel's convolution. Odd H or W:
/// the last tiles read zeros past the border and their outputs past it are dropped.
///
/// Units of (image, run of tile rows) are dealt to the threads like conv2d's (`forEachUnit`);
/// each unit runs serially: input transform into V (16 × [Cin, T], T tiles), 16 single-threaded
/// sgemms M_k = U_k·V_k [Cout, T], output transform. Scratch is one V and one M per thread.
func winogradConv3x3(_ x: UnsafePointer<Float>, n: Int, cin: Int, h: Int, w: Int, _ u: UnsafePointer<Float>, cout: Int,
                     bias: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Float>, flippedTranspose: Bool = false) {
    let units = WinogradUnits(n: n, h: h, w: w, budget: Winograd.tiles, grouping: false)
    let tw = units.tw, hw = h * w, workers = units.workers
    let vs = (0..<workers).map { _ in TensorStorage(uninitialized: 16 * cin * units.maxTiles) }
    let ms = (0..<workers).map { _ in TensorStorage(uninitialized: 16 * cout * units.maxTiles) }
    let bufs = (0..<workers).map { _ in TensorStorage(uninitialized: 8 * tw + 8) }
    withExtendedLifetime((vs, ms, bufs)) {
        forEachUnit(units.count, workers: workers) { unit, wk in
            let (b, _, ty0, ty1) = units.unit(unit, n: n)
            let t = (ty1 - ty0) * tw
            let v = vs[wk].pointer, m = ms[wk].pointer
            let vk = cin * t                                        // floats between V_k and V_{k+1}
            winogradInputTransform(x + b * cin * hw, c: cin, h: h, w: w, tw: tw, ty0: ty0, ty1: ty1, v, ld: t, buf: bufs[wk].pointer)
            // M_k = U_k·V_k.
            for k in 0..<16 {
                if flippedTranspose {
                    sgemmSerial(true, false, m: cout, n: t, k: cin, u + Winograd.flipped[k] * cout * cin, lda: cout, v + k * vk, ldb: t,
                                m + k * cout * t, ldc: t)
                } else {
                    sgemmSerial(false, false, m: cout, n: t, k: cin, u + k * cout * cin, lda: cin, v + k * vk, ldb: t,
                                m + k * cout * t, ldc: t)
                }
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

/// dW of the 3×3 "same" convolution (stride 1, padding 1) by the adjoint of the Winograd forward:
/// `x` [N, Cin, H, W], `dy` [N, Cout, H, W] → `gw` [Cout, Cin, 3, 3] (overwritten). The forward
/// computes Y = Aᵀ[Σ_c U_c ⊙ V_c]A per tile with U = G g Gᵀ; its exact gradient is
///     dM = A dY Aᵀ (the 2×2 output gradient of each tile spread to 4×4),
///     dU_k = Σ_tiles dM_k · V_kᵀ (16 sgemms [Cout, T]·[T, Cin] per unit),
///     dg = Gᵀ dU G (4×4 → 3×3),
/// the same gradient as the direct correlation sum (Winograd's algorithm is exact in real
/// arithmetic), at 16 instead of 36 multiplies per (tile, channel pair), without an im2col of
/// 9·Cin rows. Outputs past an odd border have no gradient (the forward drops them). Units of at
/// most `Winograd.tiles` tiles as the forward's, but small images go whole, several to a unit
/// (the products reduce over tiles: an 8 × 8 image's 16 tiles alone leave them bound by writing
/// dU); each thread sums its units into its own dU, the threads' dU are added at the end. On the
/// latent U-Net's step (batch 32 of 8 × 16²) this took 304 → 276 ms on one thread, on the planes
/// U-Net's (24 × 32²) 1,048 → 890 ms (im2col + sgemm before; 2026-12-05, quiet).
func winogradWeightGradient(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, n: Int, cin: Int, h: Int, w: Int,
                            cout: Int, _ gw: UnsafeMutablePointer<Float>) {
    let units = WinogradUnits(n: n, h: h, w: w, budget: Winograd.tiles, grouping: true)
    let tw = units.tw, hw = h * w, workers = units.workers
    let plane = cout * cin
    let vs = (0..<workers).map { _ in TensorStorage(uninitialized: 16 * cin * units.maxTiles) }
    let ms = (0..<workers).map { _ in TensorStorage(uninitialized: 16 * cout * units.maxTiles) }
    let bufs = (0..<workers).map { _ in TensorStorage(uninitialized: 8 * tw + 8) }
    let partials = (0..<workers).map { _ in TensorStorage(uninitialized: 16 * plane) }
    let started = UnsafeMutablePointer<Bool>.allocate(capacity: workers)
    started.initialize(repeating: false, count: workers)
    defer { started.deallocate() }
    withExtendedLifetime((vs, ms, bufs, partials)) {
        forEachUnit(units.count, workers: workers) { unit, wk in
            let (b0, images, ty0, ty1) = units.unit(unit, n: n)
            let perT = (ty1 - ty0) * tw, t = images * perT, mk = cout * t
            let v = vs[wk].pointer, dm = ms[wk].pointer
            // Image i's tiles in columns i·perT ..< (i + 1)·perT of V and dM.
            for i in 0..<images {
                winogradInputTransform(x + (b0 + i) * cin * hw, c: cin, h: h, w: w, tw: tw, ty0: ty0, ty1: ty1,
                                       v + i * perT, ld: t, buf: bufs[wk].pointer)
            }
            // dM = A dY Aᵀ per tile: rows r_i = (y0 + y1, …) of A dY, then the same on columns.
            for i in 0..<images { for o in 0..<cout {
                let src = dy + ((b0 + i) * cout + o) * hw
                for ty in ty0..<ty1 {
                    let y = 2 * ty, row0 = src + y * w, row1: UnsafePointer<Float>? = y + 1 < h ? src + (y + 1) * w : nil
                    let base = o * t + i * perT + (ty - ty0) * tw
                    // Row i of A dY is (p, q) — (y0, y0 + y1, y0 − y1, −y1) of the two output rows —
                    // and row i of dM is (p, p + q, p − q, −q). 8 whole tiles at a time (their two
                    // columns interleave in 16 floats of a row), then the rest one by one.
                    @inline(__always) func put<V: SIMD>(_ d: UnsafeMutablePointer<Float>, _ y00: V, _ y01: V, _ y10: V, _ y11: V)
                    where V.Scalar == Float {
                        @inline(__always) func row(_ i: Int, _ p: V, _ q: V) {
                            let o = d + 4 * i * mk
                            UnsafeMutableRawPointer(o).storeBytes(of: p, as: V.self)
                            UnsafeMutableRawPointer(o + mk).storeBytes(of: p + q, as: V.self)
                            UnsafeMutableRawPointer(o + 2 * mk).storeBytes(of: p - q, as: V.self)
                            UnsafeMutableRawPointer(o + 3 * mk).storeBytes(of: -q, as: V.self)
                        }
                        row(0, y00, y01); row(1, y00 + y10, y01 + y11); row(2, y00 - y10, y01 - y11); row(3, -y10, -y11)
                    }
                    @inline(__always) func load<V: SIMD>(_ p: UnsafePointer<Float>?, _ at: Int, as: V.Type) -> V where V.Scalar == Float {
                        p.map { UnsafeRawPointer($0 + at).loadUnaligned(as: V.self) } ?? V()
                    }
                    let fullX = w / 2
                    var tx = 0
                    while tx + 8 <= fullX {
                        let r0 = load(row0, 2 * tx, as: SIMD16<Float>.self), r1 = load(row1, 2 * tx, as: SIMD16<Float>.self)
                        put(dm + base + tx, r0.evenHalf, r0.oddHalf, r1.evenHalf, r1.oddHalf)
                        tx += 8
                    }
                    if tx + 4 <= fullX {
                        let r0 = load(row0, 2 * tx, as: SIMD8<Float>.self), r1 = load(row1, 2 * tx, as: SIMD8<Float>.self)
                        put(dm + base + tx, r0.evenHalf, r0.oddHalf, r1.evenHalf, r1.oddHalf)
                        tx += 4
                    }
                    if tx + 2 <= fullX {
                        let r0 = load(row0, 2 * tx, as: SIMD4<Float>.self), r1 = load(row1, 2 * tx, as: SIMD4<Float>.self)
                        put(dm + base + tx, r0.evenHalf, r0.oddHalf, r1.evenHalf, r1.oddHalf)
                        tx += 2
                    }
                    while tx < tw {
                        let x0 = 2 * tx, hasX1 = x0 + 1 < w
                        let y00 = row0[x0], y01: Float = hasX1 ? row0[x0 + 1] : 0
                        let y10: Float = row1?[x0] ?? 0, y11: Float = hasX1 ? (row1?[x0 + 1] ?? 0) : 0
                        let d = dm + base + tx
                        @inline(__always) func row(_ i: Int, _ p: Float, _ q: Float) {
                            d[4 * i * mk] = p; d[(4 * i + 1) * mk] = p + q; d[(4 * i + 2) * mk] = p - q; d[(4 * i + 3) * mk] = -q
                        }
                        row(0, y00, y01); row(1, y00 + y10, y01 + y11); row(2, y00 - y10, y01 - y11); row(3, -y10, -y11)
                        tx += 1
                    }
                }
            } }
            // dU_k (+)= dM_k·V_kᵀ.
            let beta: Float = started[wk] ? 1 : 0, part = partials[wk].pointer
            for k in 0..<16 {
                sgemmSerial(false, true, m: cout, n: cin, k: t, dm + k * mk, lda: t, v + k * cin * t, ldb: t,
                            beta: beta, part + k * plane, ldc: cin)
            }
            started[wk] = true
        }
        // dg = Gᵀ dU G per channel pair, the threads' dU summed first.
        let used = (0..<workers).filter { started[$0] }.map { UnsafePointer(partials[$0].pointer) }
        parallelFor(cout, minChunk: max(1, 256 / max(1, cin))) { r in
            for o in r {
                for c in 0..<cin {
                    let at = o * cin + c
                    var du = SIMD16<Float>()
                    for p in used { for k in 0..<16 { du[k] += p[k * plane + at] } }
                    // Rows of t = Gᵀ dU: Gᵀ's rows are (1, ½, ½, 0), (0, ½, −½, 0), (0, ½, ½, 1).
                    let u0 = du.lowHalf.lowHalf, u1 = du.lowHalf.highHalf, u2 = du.highHalf.lowHalf, u3 = du.highHalf.highHalf
                    let t = (u0 + 0.5 * (u1 + u2), 0.5 * (u1 - u2), 0.5 * (u1 + u2) + u3)
                    // dg = t G: the same combination along each row.
                    let dst = gw + at * 9
                    @inline(__always) func row(_ r: Int, _ tr: SIMD4<Float>) {
                        dst[3 * r] = tr[0] + 0.5 * (tr[1] + tr[2]); dst[3 * r + 1] = 0.5 * (tr[1] - tr[2]); dst[3 * r + 2] = 0.5 * (tr[1] + tr[2]) + tr[3]
                    }
                    row(0, t.0); row(1, t.1); row(2, t.2)
                }
            }
        }
    }
}
