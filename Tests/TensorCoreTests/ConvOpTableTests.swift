import Foundation
import Support
import Testing
@testable import TensorCore

let convOpTable: [OpCase] = [
    OpCase(name: "conv2d (stride, padding, bias, 1×1 fast path)") { rng in
        let k = [1, 1, 2, 3][Int(rng.next() % 4)], stride = 1 + Int(rng.next() % 2), pad = Int(rng.next() % UInt64(k))
        let n = randomDim(&rng, max: 2), c = randomDim(&rng, max: 3), o = randomDim(&rng, max: 4)
        let h = k + Int(rng.next() % 4), w = k + Int(rng.next() % 4)
        let useBias = rng.nextFloat() < 0.7
        let x = randomTensor([n, c, h, w], &rng), wt = randomTensor([o, c, k, k], &rng), b = randomTensor([o], &rng)
        let inputs = useBias ? [x, wt, b] : [x, wt]
        return OpInstance(inputs: inputs, differentiable: inputs.map { _ in true },
                          op: { conv2d($0[0], $0[1], useBias ? $0[2] : nil, stride: stride, padding: pad) },
                          reference: { refConv2d($0[0], $0[1], useBias ? $0[2] : nil, stride: stride, pad: pad) })
    },
    OpCase(name: "conv2d on batches larger than the thread count (images split over threads, partial dW summed)") { rng in
        let k = [1, 3][Int(rng.next() % 2)], stride = 1 + Int(rng.next() % 2), pad = Int(rng.next() % UInt64(k))
        let n = 3 + Int(rng.next() % 3), c = randomDim(&rng, max: 3), o = randomDim(&rng, max: 3)
        let h = k + Int(rng.next() % 3), w = k + Int(rng.next() % 3)
        let x = randomTensor([n, c, h, w], &rng), wt = randomTensor([o, c, k, k], &rng), b = randomTensor([o], &rng)
        return OpInstance(inputs: [x, wt, b], differentiable: [true, true, true],
                          op: { conv2d($0[0], $0[1], $0[2], stride: stride, padding: pad) },
                          reference: { refConv2d($0[0], $0[1], $0[2], stride: stride, pad: pad) })
    },
    OpCase(name: "transposed conv2d (stride, padding)") { rng in
        let k = [1, 2, 3, 4][Int(rng.next() % 4)], stride = 1 + Int(rng.next() % 2), pad = Int(rng.next() % UInt64(k))
        let n = randomDim(&rng, max: 2), c = randomDim(&rng, max: 3), o = randomDim(&rng, max: 3)
        let h = 1 + Int(rng.next() % 3) + pad, w = 1 + Int(rng.next() % 3) + pad
        let useBias = rng.nextFloat() < 0.7
        let x = randomTensor([n, c, h, w], &rng), wt = randomTensor([c, o, k, k], &rng), b = randomTensor([o], &rng)
        let inputs = useBias ? [x, wt, b] : [x, wt]
        return OpInstance(inputs: inputs, differentiable: inputs.map { _ in true },
                          op: { convTranspose2d($0[0], $0[1], useBias ? $0[2] : nil, stride: stride, padding: pad) },
                          reference: { refConvTranspose2d($0[0], $0[1], useBias ? $0[2] : nil, stride: stride, pad: pad) })
    },
    OpCase(name: "group norm with affine") { rng in
        let groups = 1 + Int(rng.next() % 3), c = groups * randomDim(&rng, max: 3)
        let shape = [randomDim(&rng, max: 3), c] + randomShape(&rng, rank: Int(rng.next() % 3), max: 4)
        let x = randomTensor(shape, &rng) { $0.uniform(-3, 3) }, g = randomTensor([c], &rng), b = randomTensor([c], &rng)
        if x.count / (shape[0] * c) * (c / groups) < 2 { x.assign(Tensor((0..<x.count).map { Float($0 % 3) - 1 }, shape: shape)) }
        return OpInstance(inputs: [x, g, b], differentiable: [true, true, true],
                          op: { groupNorm($0[0], groups: groups, gamma: $0[1], beta: $0[2]) },
                          reference: { refGroupNorm($0[0], groups: groups, gamma: $0[1], beta: $0[2], eps: 1e-5) },
                          forwardTolerance: 1e-4, gradientTolerance: 5e-3)
    },
    OpCase(name: "group norm + scale/shift + SiLU, fused") { rng in
        let groups = 1 + Int(rng.next() % 3), c = groups * randomDim(&rng, max: 3), n = randomDim(&rng, max: 3)
        // Planes up to 4×9, so both the 8-wide loops and their scalar tails run.
        let spatial = rng.nextFloat() < 0.2 ? [] : [1 + Int(rng.next() % 4), 1 + Int(rng.next() % 9)]
        let shape = [n, c] + spatial
        let x = randomTensor(shape, &rng) { $0.uniform(-3, 3) }, g = randomTensor([c], &rng), b = randomTensor([c], &rng)
        if x.count / (n * c) * (c / groups) < 2 { x.assign(Tensor((0..<x.count).map { Float($0 % 3) - 1 }, shape: shape)) }
        let sc = randomTensor([n, c], &rng), sh = randomTensor([n, c], &rng)
        let modulated = rng.nextFloat() < 0.7
        let ones = [Int](repeating: 1, count: spatial.count)
        return OpInstance(inputs: modulated ? [x, g, b, sc, sh] : [x, g, b], differentiable: [true, true, true] + (modulated ? [true, true] : []),
                          op: { groupNormSiLU($0[0], groups: groups, gamma: $0[1], beta: $0[2], scale: modulated ? $0[3] : nil, shift: modulated ? $0[4] : nil) },
                          reference: { r in
                              var y = refGroupNorm(r[0], groups: groups, gamma: r[1], beta: r[2], eps: 1e-5)
                              if modulated {
                                  y = Ref.zipWith(y, r[3].map { 1 + $0 }.reshaped([n, c] + ones), *)
                                  y = Ref.zipWith(y, r[4].reshaped([n, c] + ones), +)
                              }
                              return y.map { $0 * refSigmoid($0) }
                          },
                          forwardTolerance: 1e-4, gradientTolerance: 5e-3)
    },
    OpCase(name: "layer norm over the last axis") { rng in
        let d = 2 + Int(rng.next() % 6)
        let x = randomTensor(randomShape(&rng, rank: 1 + Int(rng.next() % 2)) + [d], &rng), g = randomTensor([d], &rng), b = randomTensor([d], &rng)
        let affine = rng.nextFloat() < 0.8
        return OpInstance(inputs: affine ? [x, g, b] : [x], differentiable: affine ? [true, true, true] : [true],
                          op: { affine ? layerNorm($0[0], gamma: $0[1], beta: $0[2]) : layerNorm($0[0], gamma: nil, beta: nil) },
                          reference: { affine ? refLayerNorm($0[0], gamma: $0[1], beta: $0[2], eps: 1e-5) : refLayerNorm($0[0], gamma: nil, beta: nil, eps: 1e-5) },
                          forwardTolerance: 1e-4, gradientTolerance: 5e-3)
    },
    OpCase(name: "nearest upsample") { rng in
        let f = 1 + Int(rng.next() % 3)
        let x = randomTensor(randomShape(&rng, rank: 4, max: 3), &rng)
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].upsampleNearest(f) }, reference: { refUpsample($0[0], f) })
    },
    OpCase(name: "average pool") { rng in
        let f = 1 + Int(rng.next() % 3)
        let x = randomTensor([randomDim(&rng, max: 2), randomDim(&rng, max: 3), f * randomDim(&rng, max: 3), f * randomDim(&rng, max: 3)], &rng)
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].avgPool2d(f) }, reference: { refAvgPool($0[0], f) })
    },
    OpCase(name: "pixel unshuffle (space to depth)") { rng in
        let p = 1 + Int(rng.next() % 3)
        let x = randomTensor([randomDim(&rng, max: 2), randomDim(&rng, max: 3), p * randomDim(&rng, max: 3), p * randomDim(&rng, max: 3)], &rng)
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].pixelUnshuffled(p) }, reference: { refPixelUnshuffle($0[0], p) })
    },
    OpCase(name: "pixel shuffle (depth to space)") { rng in
        let p = 1 + Int(rng.next() % 3)
        let x = randomTensor([randomDim(&rng, max: 2), p * p * randomDim(&rng, max: 2), randomDim(&rng, max: 3), randomDim(&rng, max: 3)], &rng)
        return OpInstance(inputs: [x], differentiable: [true], op: { $0[0].pixelShuffled(p) }, reference: { refPixelShuffle($0[0], p) })
    },
    OpCase(name: "attention, unmasked / causal / boolean / additive") { rng in
        let b = randomDim(&rng, max: 3), lq = randomDim(&rng, max: 5), lk = randomDim(&rng, max: 5)
        let d = randomDim(&rng, max: 4), dv = randomDim(&rng, max: 4)
        let q = randomTensor([b, lq, d], &rng), k = randomTensor([b, lk, d], &rng), v = randomTensor([b, lk, dv], &rng)
        let kind = Int(rng.next() % 4)
        let causalAllowed = (0..<(lq * lk)).map { idx in idx % lk <= idx / lk + (lk - lq) }
        let randomAllowed = (0..<(lq * lk)).map { _ in rng.nextFloat() < 0.7 }
        let bias = randomTensor([lq, lk], &rng)
        let mask: AttentionMask? = [nil, .causal, .boolean(randomAllowed), .additive(bias)][kind]
        let allowed: [Bool]? = [nil, causalAllowed, randomAllowed, nil][kind]
        return OpInstance(inputs: [q, k, v], differentiable: [true, true, true],
                          op: { scaledDotProductAttention($0[0], $0[1], $0[2], mask: mask) },
                          reference: { refAttention($0[0], $0[1], $0[2], allowed: allowed, additive: kind == 3 ? toRef(bias) : nil) })
    },
]

@Suite("op table: convolutions, normalization, resampling, attention")
struct ConvOpTableTests {
    @Test("every layer op agrees with its oracle on random shapes", arguments: convOpTable)
    func layerOp(_ c: OpCase) {
        checkTableRow(c, seeds: 6, baseSeed: 4242)
    }

    @Test("a fully masked attention row yields zeros and finite gradients")
    func fullyMasked() {
        let q = Tensor([1, 2, 3, 4], shape: [1, 2, 2], requiresGrad: true)
        let k = Tensor([1, 0, 0, 1], shape: [1, 2, 2], requiresGrad: true)
        let v = Tensor([5, 6, 7, 8], shape: [1, 2, 2], requiresGrad: true)
        let y = scaledDotProductAttention(q, k, v, mask: .boolean([false, false, true, true]))
        #expect(Array(y.scalars[0..<2]) == [0, 0])
        y.sum().backward()
        #expect(q.grad!.scalars.allSatisfy(\.isFinite) && k.grad!.scalars.allSatisfy(\.isFinite) && v.grad!.scalars.allSatisfy(\.isFinite))
    }

    @Test("fused group norm + scale/shift + SiLU equals the unfused ops, forward and every gradient, on planes longer than a lane block")
    func fusedGroupNormSiLU() {
        var rng = SeededRandom(seed: 11)
        let n = 2, c = 6, groups = 3
        let x = randomTensor([n, c, 37, 41], &rng) { $0.uniform(-2, 2) }
        let g = randomTensor([c], &rng), b = randomTensor([c], &rng), sc = randomTensor([n, c], &rng), sh = randomTensor([n, c], &rng)
        let dy = randomTensor([n, c, 37, 41], &rng)
        func grads(_ fused: Bool) -> [[Float]] {
            let leaves = [x, g, b, sc, sh].map { Tensor($0.scalars, shape: $0.shape, requiresGrad: true) }
            let y = fused
                ? groupNormSiLU(leaves[0], groups: groups, gamma: leaves[1], beta: leaves[2], scale: leaves[3], shift: leaves[4])
                : (groupNorm(leaves[0], groups: groups, gamma: leaves[1], beta: leaves[2]) * (leaves[3].reshaped([n, c, 1, 1]) + 1)
                   + leaves[4].reshaped([n, c, 1, 1])).silu()
            (y * dy).sum().backward()
            return [y.scalars] + leaves.map { $0.grad!.scalars }
        }
        let fused = grads(true), plain = grads(false)
        for (k, name) in ["y", "dx", "dγ", "dβ", "dscale", "dshift"].enumerated() {
            let scaleOf = max(1, plain[k].map { Swift.abs($0) }.max()!)
            let err = zip(fused[k], plain[k]).map { Swift.abs($0 - $1) }.max()!
            #expect(err <= 2e-4 * scaleOf, "\(name): max error \(err) at scale \(scaleOf)")
        }
    }

    @Test("conv2d in column tiles of a few output rows (and a partial last tile): forward, dX and dW match the oracle")
    func tiledConv() {
        // Tiles of ⌊16/K⌋ → 2 rows of 7 here (K = 36 for x, 54 for dY): 6 full tiles and a partial one.
        ConvTiling.$settings.withValue(.init(floats: 16, minColumns: 14)) {
            var rng = SeededRandom(seed: 12)
            let n = min(max(2, Parallelism.threadCount), 4), c = 4, o = 6, h = 13, w = 7
            let x = randomTensor([n, c, h, w], &rng, { $0.uniform(-1, 1) }), wt = randomTensor([o, c, 3, 3], &rng, { $0.uniform(-1, 1) })
            let b = randomTensor([o], &rng), dy = randomTensor([n, o, h, w], &rng)
            #expect(ConvTiling.rows(ConvGeometry(c: c, h: h, w: w, kh: 3, kw: 3, stride: 1, pad: 1), n: n, threads: Parallelism.threadCount) < h)
            expectSameConv3x3MatchesOracle(x, wt, b, dy, "tiled")
        }
    }

    @Test("conv2d gives the same values and gradients on 1, 2, 3 and 7 threads (tiles spread over threads when the batch is small)")
    func convThreadCounts() {
        var rng = SeededRandom(seed: 13)
        let x = randomTensor([3, 5, 9, 8], &rng), dy3 = randomTensor([3, 6, 9, 8], &rng), dy2 = randomTensor([3, 6, 5, 4], &rng)
        let w3 = randomTensor([6, 5, 3, 3], &rng), w1 = randomTensor([6, 5, 1, 1], &rng), b = randomTensor([6], &rng)
        // (weight, stride, padding, dY): 3×3 "same" (flipped dX), 1×1 (no columns), 3×3 stride 2 (col2im dX).
        let cases: [(Tensor, Int, Int, Tensor)] = [(w3, 1, 1, dy3), (w1, 1, 0, dy3), (w3, 2, 1, dy2)]
        for (ci, (w, s, p, dy)) in cases.enumerated() {
            var results: [[[Float]]] = []
            for threads in [1, 2, 3, 7] { Parallelism.withThreadCount(threads) {
                #expect(Parallelism.threadCount == threads)
                let xl = Tensor(x.scalars, shape: x.shape, requiresGrad: true), wl = Tensor(w.scalars, shape: w.shape, requiresGrad: true)
                let y = conv2d(xl, wl, b, stride: s, padding: p)
                (y * dy).sum().backward()
                results.append([y.scalars, xl.grad!.scalars, wl.grad!.scalars])
            } }
            for r in results.dropFirst() {
                for (part, name) in ["y", "dX", "dW"].enumerated() {
                    let err = zip(r[part], results[0][part]).map { Swift.abs($0 - $1) }.max()!
                    #expect(err < 1e-4, "case \(ci) \(name): max difference \(err) from one thread")
                }
            }
        }
    }

    @Test("conv2d forced onto Winograd F(2×2, 3×3): forward, dX and dW match the oracle on odd and even sizes, batches and unit splits")
    func winogradConv() {
        var rng = SeededRandom(seed: 14)
        // (N, Cin, Cout, H, W, tiles per unit, threads): 1×1 to 9×8 images, one or many tile rows a
        // unit; widths 16, 17 and 35 for the 8-, 4- and 2-tile-wide transforms and their tails; the
        // weight gradient's groups of whole images (5 images of 12 tiles in groups of 3 and 2; 6 of
        // 4 tiles in groups of 2; 4 of 32 tiles, 8-wide, in groups of 2).
        let cases = [(2, 3, 5, 7, 9, 128, 2), (3, 17, 4, 8, 6, 1, 2), (2, 6, 19, 5, 1, 2, 3), (1, 1, 1, 1, 1, 128, 1),
                     (4, 8, 8, 9, 8, 4, 7), (2, 16, 24, 6, 7, 3, 1), (2, 3, 4, 4, 16, 8, 2), (1, 5, 2, 5, 17, 9, 2),
                     (2, 2, 3, 3, 35, 128, 3), (5, 4, 6, 5, 7, 128, 2), (6, 3, 5, 4, 4, 8, 1), (4, 2, 3, 8, 16, 64, 2)]
        for (n, c, o, h, w, tiles, threads) in cases {
            Winograd.$settings.withValue(.init(minChannels: 1, tiles: tiles)) { Parallelism.withThreadCount(threads) {
                #expect(Winograd.applies(ConvGeometry(c: c, h: h, w: w, kh: 3, kw: 3, stride: 1, pad: 1), cout: o))
                let x = randomTensor([n, c, h, w], &rng), wt = randomTensor([o, c, 3, 3], &rng)
                let b = randomTensor([o], &rng), dy = randomTensor([n, o, h, w], &rng)
                expectSameConv3x3MatchesOracle(x, wt, b, dy, "N \(n) Cin \(c) Cout \(o) \(h)×\(w)")
            } }
        }
    }

    @Test("conv2d on a larger image matches the direct oracle (im2col bounds at every border)")
    func largerConv() {
        var rng = SeededRandom(seed: 9)
        let x = randomTensor([2, 5, 13, 11], &rng), w = randomTensor([7, 5, 3, 3], &rng), b = randomTensor([7], &rng)
        for (s, p) in [(1, 1), (2, 1), (2, 0), (3, 2)] {
            let y = withNoGrad { conv2d(x, w, b, stride: s, padding: p) }
            let r = refConv2d(toRef(x), toRef(w), toRef(b), stride: s, pad: p)
            #expect(y.shape == r.shape)
            #expect(zip(y.scalars, r.v).allSatisfy { Swift.abs(Double($0) - $1) < 1e-4 }, "stride \(s) pad \(p)")
        }
    }
}

/// Runs the 3×3 "same" (stride 1, padding 1) convolution of `x` [N, C, H, W] with `wt` [O, C, 3, 3]
/// and bias `b`, backpropagates Σ y·dy, and expects y, dX and dW within 1e-4 of each oracle
/// result's largest magnitude (at least 1): y by `refConv2d`, dX by `refConvTranspose2d` of dY,
/// dW by the direct correlation sum in Double.
func expectSameConv3x3MatchesOracle(_ x: Tensor, _ wt: Tensor, _ b: Tensor, _ dy: Tensor, _ what: String) {
    let (n, c, h, w, o) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], wt.shape[0])
    let xl = Tensor(x.scalars, shape: x.shape, requiresGrad: true), wl = Tensor(wt.scalars, shape: wt.shape, requiresGrad: true)
    let y = conv2d(xl, wl, b, stride: 1, padding: 1)
    (y * dy).sum().backward()
    func close(_ got: [Float], _ want: [Double], _ part: String) {
        let scale = max(1, want.map { Swift.abs($0) }.max()!)
        let err = zip(got, want).map { Swift.abs(Double($0) - $1) }.max()!
        #expect(got.count == want.count && err <= 1e-4 * scale, "\(what) \(part): max error \(err) at scale \(scale)")
    }
    let rx = toRef(x), rw = toRef(wt), rdy = toRef(dy)
    close(y.scalars, refConv2d(rx, rw, toRef(b), stride: 1, pad: 1).v, "y")
    close(xl.grad!.scalars, refConvTranspose2d(rdy, rw, nil, stride: 1, pad: 1).v, "dX")
    var dw = [Double](repeating: 0, count: wt.count)
    for bi in 0..<n { for co in 0..<o { for ci in 0..<c { for i in 0..<3 { for j in 0..<3 {
        var s = 0.0
        for oy in 0..<h { let iy = oy + i - 1; if iy < 0 || iy >= h { continue }
            for ox in 0..<w { let ix = ox + j - 1; if ix < 0 || ix >= w { continue }
                s += rdy.v[((bi * o + co) * h + oy) * w + ox] * rx.v[((bi * c + ci) * h + iy) * w + ix] } }
        dw[((co * c + ci) * 3 + i) * 3 + j] += s
    } } } } }
    close(wl.grad!.scalars, dw, "dW")
}

@Suite("fused masked softmax")
struct MaskedSoftmaxTests {
    @Test("equals scale, −∞ fill, softmax and NaN clearing, forward and gradient, fully masked rows included")
    func matchesUnfusedOps() {
        var rng = SeededRandom(seed: 77)
        for trial in 0..<4 {
            let b = 1 + trial % 3, lq = 2 + trial, lk = 3 + 2 * trial
            var allowed = (0..<(lq * lk)).map { _ in rng.nextFloat() < 0.6 }
            for j in 0..<lk { allowed[j] = false }   // row 0 fully masked
            let x = randomTensor([b, lq, lk], &rng), dy = randomTensor([b, lq, lk], &rng)
            func run(_ fused: Bool) -> ([Float], [Float]) {
                let xi = x.copy(); xi.requiresGrad = true
                let y = fused ? xi.maskedSoftmax(allowed: allowed, scale: 0.7)
                              : (xi * 0.7).maskedFill(allowed.map { !$0 }, value: -.infinity).softmax(axis: -1).replacingNaN()
                (y * dy).sum().backward()
                return (y.scalars, xi.grad!.scalars)
            }
            let (yf, gf) = run(true), (yr, gr) = run(false)
            #expect(zip(yf, yr).allSatisfy { abs($0 - $1) < 1e-6 }, "trial \(trial) forward")
            #expect(zip(gf, gr).allSatisfy { abs($0 - $1) < 1e-6 }, "trial \(trial) gradient")
            #expect(yf.prefix(lk).allSatisfy { $0 == 0 } && gf.prefix(lk).allSatisfy { $0 == 0 })
        }
    }
}
