import CBLAS
import Foundation
import Support

// Matrix products through OpenBLAS `cblas_sgemm`: matmul (2D, folded leading dims, batched),
// and the fused affine map `linear` (x·Wᵀ + b) used by every Linear layer.

/// OpenBLAS runs single-threaded; `sgemm` splits large products over `Parallelism.threadCount`
/// threads itself (the one knob; the environment variable `OCTOPLANE_THREADS` sets its default),
/// and batched kernels (convolutions) call one single-threaded product per worker.
///
/// One pool of workers instead of two: after each threaded call OpenBLAS's own threads busy-wait
/// (`sched_yield`) for ~0.1 s, which on a small machine took a core from the elementwise and
/// im2col kernels running in between (a tenth of a U-Net step on two cores).
public enum BLASThreads {
    nonisolated(unsafe) private static var configured = false
    private static let lock = NSLock()
    /// Sets OpenBLAS to one thread (once; later calls are cheap).
    public static func sync() {
        lock.lock(); defer { lock.unlock() }
        if !configured { openblas_set_num_threads(1); configured = true }
    }
}

/// Products with fewer multiply-adds than this run on the caller's thread.
let sgemmParallelWork = 1 << 21

/// One single-threaded `cblas_sgemm`, row-major, with explicit leading dimensions.
@inline(__always)
func sgemmSerial(_ transA: Bool, _ transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                 _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                 beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 { row.update(repeating: 0, count: n) } else if beta != 1 { for j in 0..<n { row[j] *= beta } }
        }
        return
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// C[m×n] = alpha·op(A)·op(B) + beta·C, row-major, with op = transpose when the flag is set.
/// `A` is stored m×k (k×m when transposed), `B` k×n (n×k when transposed).
///
/// Products of at least `sgemmParallelWork` multiply-adds are split into one block of C per
/// thread — column blocks when n ≥ m, row blocks otherwise (multiples of 16 wide, so the blocks
/// keep OpenBLAS's full-width kernels) — each computed by a single-threaded `cblas_sgemm`.
/// Must not be called from inside a `parallelFor` body (use `sgemmSerial` there).
public func sgemm(_ transA: Bool, _ transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                  _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, beta: Float = 0, _ c: UnsafeMutablePointer<Float>) {
    if m == 0 || n == 0 { return }
    BLASThreads.sync()
    let lda = transA ? m : k, ldb = transB ? k : n
    let threads = Parallelism.threadCount
    let span = max(m, n)
    guard threads > 1, k > 0, m * n * k >= sgemmParallelWork, span >= 32 else {
        sgemmSerial(transA, transB, m: m, n: n, k: k, alpha: alpha, a, lda: lda, b, ldb: ldb, beta: beta, c, ldc: n)
        return
    }
    let block = ((span + threads - 1) / threads + 15) / 16 * 16
    let blocks = (span + block - 1) / block
    let byColumns = n >= m
    parallelFor(blocks, minChunk: 1) { r in
        for blk in r {
            let lo = blk * block, len = min(span, lo + block) - lo
            if byColumns {
                // Columns lo..<lo+len of C and of op(B).
                sgemmSerial(transA, transB, m: m, n: len, k: k, alpha: alpha, a, lda: lda,
                            transB ? b + lo * ldb : b + lo, ldb: ldb, beta: beta, c + lo, ldc: n)
            } else {
                // Rows lo..<lo+len of C and of op(A).
                sgemmSerial(transA, transB, m: len, n: n, k: k, alpha: alpha, transA ? a + lo : a + lo * lda, lda: lda,
                            b, ldb: ldb, beta: beta, c + lo * n, ldc: n)
            }
        }
    }
}

/// `batch` independent products C_i = op(A_i)·op(B_i) (operands `strideA`, `strideB` floats apart;
/// a stride of 0 shares the operand; C_i `m·n` apart). With at least as many products as threads,
/// whole products go to the threads (single-threaded sgemm each: attention's per-head products
/// are mostly too small to split well); otherwise each product is split by `sgemm`.
func batchedSgemm(_ transA: Bool, _ transB: Bool, batch: Int, m: Int, n: Int, k: Int,
                  _ a: UnsafePointer<Float>, strideA: Int, _ b: UnsafePointer<Float>, strideB: Int, _ c: UnsafeMutablePointer<Float>) {
    BLASThreads.sync()
    let threads = Parallelism.threadCount
    if batch >= threads && threads > 1 {
        let lda = transA ? m : k, ldb = transB ? k : n
        parallelFor(batch, minChunk: 1) { r in
            for i in r {
                sgemmSerial(transA, transB, m: m, n: n, k: k, a + i * strideA, lda: lda, b + i * strideB, ldb: ldb, c + i * m * n, ldc: n)
            }
        }
    } else {
        for i in 0..<batch { sgemm(transA, transB, m: m, n: n, k: k, a + i * strideA, b + i * strideB, c + i * m * n) }
    }
}

/// Raw product of matrices (no autograd): `a` [..., m, k] (or [..., k, m] with transA),
/// `b` either 2-D [k, n] (shared) or with the same leading batch dims as `a`.
func matmulKernel(_ a: Tensor, _ b: Tensor, transA: Bool, transB: Bool) -> Tensor {
    precondition(a.rank >= 2 && b.rank >= 2, "matmul needs rank ≥ 2, got \(a.shape) and \(b.shape)")
    let ar = a.shape.count, br = b.shape.count
    let m = transA ? a.shape[ar - 1] : a.shape[ar - 2]
    let k = transA ? a.shape[ar - 2] : a.shape[ar - 1]
    let kb = transB ? b.shape[br - 1] : b.shape[br - 2]
    let n = transB ? b.shape[br - 2] : b.shape[br - 1]
    precondition(k == kb, "matmul: inner dimensions differ, \(a.shape)\(transA ? "ᵀ" : "") × \(b.shape)\(transB ? "ᵀ" : "")")
    let batchA = Array(a.shape[..<(ar - 2)])
    if br == 2 {
        let out = Tensor(uninitializedShape: batchA + [m, n])
        let batch = batchA.reduce(1, *)
        if !transA {
            // Fold the batch into rows: one big sgemm.
            sgemm(false, transB, m: batch * m, n: n, k: k, a.data, b.data, out.mutableData)
        } else {
            batchedSgemm(true, transB, batch: batch, m: m, n: n, k: k, a.data, strideA: m * k, b.data, strideB: 0, out.mutableData)
        }
        return out
    }
    let batchB = Array(b.shape[..<(br - 2)])
    precondition(batchA == batchB, "batched matmul: batch dims \(batchA) and \(batchB) differ")
    let batch = batchA.reduce(1, *)
    let out = Tensor(uninitializedShape: batchA + [m, n])
    batchedSgemm(transA, transB, batch: batch, m: m, n: n, k: k, a.data, strideA: m * k, b.data, strideB: k * n, out.mutableData)
    return out
}

/// Matrix product with autograd. `a` [..., m, k], `b` [k, n] or [..., k, n] (same batch dims);
/// the flags transpose the last two axes of an operand without copying. Result [..., m, n].
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    let out = matmulKernel(a, b, transA: transposeA, transB: transposeB)
    return out.record("matmul", [a, b]) { g in
        var ga: Tensor? = nil, gb: Tensor? = nil
        let shared = b.rank == 2
        if a.requiresGrad {
            // op(A) = dC·op(B)ᵀ; A = op(A) or its transpose.
            if transposeA && shared {
                let m = a.shape[a.rank - 1], k = a.shape[a.rank - 2], n = g.shape[g.rank - 1]
                let out = Tensor(uninitializedShape: a.shape)
                batchedSgemm(transposeB, true, batch: a.count / max(1, m * k), m: k, n: m, k: n,
                             b.data, strideA: 0, g.data, strideB: m * n, out.mutableData)
                ga = out
            } else {
                ga = transposeA ? matmulKernel(b, g, transA: transposeB, transB: true) : matmulKernel(g, b, transA: false, transB: !transposeB)
            }
        }
        if b.requiresGrad {
            if shared {
                // Fold batch dims into rows: op(B) = op(A)ᵀ·dC over all rows.
                let gm = g.reshaped([-1, g.shape[g.rank - 1]])
                if !transposeA {
                    let am = a.reshaped([-1, a.shape[a.rank - 1]])
                    gb = transposeB ? matmulKernel(gm, am, transA: true, transB: false) : matmulKernel(am, gm, transA: true, transB: false)
                } else {
                    let batch = a.count / (a.shape[a.rank - 1] * a.shape[a.rank - 2])
                    let acc = Tensor(zeros: b.shape)
                    let m = a.shape[a.rank - 1], k = a.shape[a.rank - 2], n = g.shape[g.rank - 1]
                    for i in 0..<batch {
                        if transposeB { sgemm(true, true, m: n, n: k, k: m, g.data + i * m * n, a.data + i * k * m, beta: 1, acc.mutableData) }
                        else { sgemm(false, false, m: k, n: n, k: m, a.data + i * k * m, g.data + i * m * n, beta: 1, acc.mutableData) }
                    }
                    gb = acc
                }
            } else {
                gb = transposeB ? matmulKernel(g, a, transA: true, transB: transposeA) : matmulKernel(a, g, transA: !transposeA, transB: false)
            }
        }
        return [ga, gb]
    }
}

/// Affine map `y = x·Wᵀ + b`: `x` [..., in], `weight` [out, in] (PyTorch's layout), `bias` [out].
/// Result [..., out]. Backward: dx = dy·W, dW = dyᵀ·x, db = Σ rows of dy (sgemv).
public func linear(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> Tensor {
    precondition(weight.rank == 2 && x.shape.last == weight.shape[1], "linear: x \(x.shape) with weight \(weight.shape)")
    let nOut = weight.shape[0], nIn = weight.shape[1]
    let rows = x.count / max(1, nIn)
    let out = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [nOut])
    if let bias {
        precondition(bias.shape == [nOut], "linear: bias \(bias.shape) for \(nOut) outputs")
        let po = out.mutableData, pb = bias.data
        parallelFor(rows, minChunk: max(1, elementwiseGrain / max(1, nOut))) { r in
            for i in r { (po + i * nOut).update(from: pb, count: nOut) }
        }
        sgemm(false, true, m: rows, n: nOut, k: nIn, x.data, weight.data, beta: 1, po)
    } else {
        sgemm(false, true, m: rows, n: nOut, k: nIn, x.data, weight.data, out.mutableData)
    }
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return out.record("linear", inputs) { g in
        var grads: [Tensor?] = []
        if x.requiresGrad {
            let gx = Tensor(uninitializedShape: x.shape)
            sgemm(false, false, m: rows, n: nIn, k: nOut, g.data, weight.data, gx.mutableData)
            grads.append(gx)
        } else { grads.append(nil) }
        if weight.requiresGrad {
            let gw = Tensor(uninitializedShape: weight.shape)
            sgemm(true, false, m: nOut, n: nIn, k: rows, g.data, x.data, gw.mutableData)
            grads.append(gw)
        } else { grads.append(nil) }
        if let bias {
            if bias.requiresGrad {
                let gb = Tensor(uninitializedShape: [nOut])
                let ones = Tensor(repeating: 1, shape: [rows])
                BLASThreads.sync()
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(nOut), 1, g.data, Int32(nOut), ones.data, 1, 0, gb.mutableData, 1)
                grads.append(gb)
            } else { grads.append(nil) }
        }
        return grads
    }
}
